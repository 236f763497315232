import Testing
@testable import Trajectory

/// Regression tests for each parser bug of the reference agent (research/open-autoglm.md §2.5),
/// plus the tolerant forms the issue lists.
@Suite struct ReferenceParserBugTests {
    @Test func leakedClosingAnswerTagAfterTap() throws {
        // Reference: SyntaxError, so the task "finished" with the raw text as its message.
        let r = try ActionParser.parse(#"I see the search box at the top. do(action="Tap", element=[811,188])</answer>"#)
        #expect(r.action == .tap(GridPoint(x: 811, y: 188), sensitiveMessage: nil))
        #expect(r.thinking == "I see the search box at the top.")
    }

    @Test func leakedClosingAnswerTagDoesNotCorruptTypedText() throws {
        // Reference: text became `abc")</answe`.
        let r = try ActionParser.parse(#"do(action="Type", text="abc")</answer>"#)
        #expect(r.action == .type("abc"))
    }

    @Test func escapesInTypedTextAreRead() throws {
        // Reference: typed `hello \"world\"` with the backslashes.
        let r = try ActionParser.parse(#"do(action="Type", text="hello \"world\"")"#)
        #expect(r.action == .type(#"hello "world""#))
        let multi = try ActionParser.parse(#"<answer>do(action="Type", text="line one\nline two\\end")</answer>"#)
        #expect(multi.action == .type("line one\nline two\\end"))
    }

    @Test func finishMentionedInReasoningDoesNotWin() throws {
        // Reference: parsed as finish with message `x") but now do(action="Back`.
        let untagged = #"Earlier I considered finish(message="x") but now do(action="Back")"#
        #expect(try ActionParser.parse(untagged).action == .back)
        let tagged = #"<think>Not done yet, so no finish(message="done") here.</think><answer>do(action="Back")</answer>"#
        let r = try ActionParser.parse(tagged)
        #expect(r.action == .back)
        #expect(r.thinking == #"Not done yet, so no finish(message="done") here."#)
    }

    @Test func typeNameStaysTypeName() throws {
        // Reference: Type_Name was renamed to Type, losing the distinction the model makes.
        #expect(try ActionParser.parse(#"do(action="Type_Name", text="张三")"#).action == .typeName("张三"))
    }

    @Test func parseFailureIsAnErrorNotFinish() {
        // Reference: any unparseable reply became finish(message=raw) and the task "succeeded".
        for reply in [
            "I am not sure what to do.", #"<answer>do(action="Tap", element=[x,y])</answer>"#,
            #"do(action="Tap", element=[811,188]"#, "", #"<answer>do(action="Fly")</answer>"#
        ] {
            #expect(throws: ActionParseError.self) { try ActionParser.parse(reply) }
        }
    }

    @Test func placeholderCoordinatesAreRejected() {
        // Issue #187: the model copied `[x,y]` from the prompt.
        do {
            _ = try ActionParser.parse(#"do(action="Tap", element=[x,y])"#)
            Issue.record("a placeholder parsed")
        } catch {
            #expect(error.kind == .badArgument)
            #expect(error.reason.contains("two numbers"))
        }
    }

    @Test func reasoningWithNoAnswerIsNoAction() {
        // Issue #158: output without an answer.
        do {
            _ = try ActionParser.parse("<think>I should open the settings app</think>")
            Issue.record("parsed")
        } catch {
            #expect(error.kind == .noAction)
        }
    }
}

@Suite struct ActionParserFormTests {
    @Test func fullyTaggedReply() throws {
        let r = try ActionParser.parse("<think>Open the app.</think>\n<answer>do(action=\"Launch\", app=\"微信\")</answer>")
        #expect(r.action == .launch(app: "微信"))
        #expect(r.thinking == "Open the app.")
        #expect(r.actionText == #"do(action="Launch", app="微信")"#)
        #expect(r.transcriptText == "<think>Open the app.</think><answer>do(action=\"Launch\", app=\"微信\")</answer>")
    }

    @Test func answerWithoutClosingTag() throws {
        let r = try ActionParser.parse("<think>x</think>\n<answer>do(action=\"Launch\", app=\"京东\")")
        #expect(r.action == .launch(app: "京东"))
    }

    @Test func boxTokensAreIgnored() throws {
        let r = try ActionParser.parse("<think>t</think><answer><|begin_of_box|>do(action=\"Home\")<|end_of_box|></answer>")
        #expect(r.action == .home)
    }

    @Test func whitespaceAndSingleQuotes() throws {
        let r = try ActionParser.parse("do( action = 'Swipe' ,\n start = [ 500 , 800 ] , end=[500,200], )")
        #expect(r.action == .swipe(from: GridPoint(x: 500, y: 800), to: GridPoint(x: 500, y: 200)))
        #expect(try ActionParser.parse(#"do(action='Type', text='it\'s "fine"')"#).action == .type(#"it's "fine""#))
    }

    @Test func actionNamesAreMatchedLoosely() throws {
        #expect(try ActionParser.parse(#"do(action="long press", element=[1,2])"#).action == .longPress(GridPoint(x: 1, y: 2)))
        #expect(try ActionParser.parse(#"do(action="Double_Tap", element=[1,2])"#).action == .doubleTap(GridPoint(x: 1, y: 2)))
        #expect(try ActionParser.parse(#"do(action="Take_over", message="请登录")"#).action == .takeOver(message: "请登录"))
        #expect(try ActionParser.parse(#"do(action="Call_API", instruction="总结")"#).action == .callAPI(instruction: "总结"))
        #expect(try ActionParser.parse(#"do(action="Note", message="True")"#).action == .note(message: "True"))
        #expect(try ActionParser.parse(#"do(action="Interact")"#).action == .interact)
    }

    @Test func sensitiveTapKeepsItsMessage() throws {
        let r = try ActionParser.parse(#"<answer>do(action="Tap", element=[540,2100], message="发送短信给 Alice")</answer>"#)
        #expect(r.action == .tap(GridPoint(x: 540, y: 2100), sensitiveMessage: "发送短信给 Alice"))
    }

    @Test func waitDurations() throws {
        #expect(try ActionParser.parse(#"do(action="Wait", duration="2 seconds")"#).action == .wait(seconds: 2))
        #expect(try ActionParser.parse(#"do(action="Wait", duration="1.5s")"#).action == .wait(seconds: 1.5))
        #expect(try ActionParser.parse(#"do(action="Wait", duration="3 秒")"#).action == .wait(seconds: 3))
        #expect(try ActionParser.parse(#"do(action="Wait", duration="500 ms")"#).action == .wait(seconds: 0.5))
        #expect(try ActionParser.parse(#"do(action="Wait")"#).action == .wait(seconds: 1))
        #expect(throws: ActionParseError.self) { try ActionParser.parse(#"do(action="Wait", duration="a while")"#) }
    }

    @Test func shortcutCallTakesItsParameters() throws {
        let r = try ActionParser.parse(#"do(action="Shortcut", name="sms_compose", number="+1 555 0100", body="Hi \"Bob\"", count=2)"#)
        #expect(r.action == .shortcut(name: "sms_compose", arguments: ["number": "+1 555 0100", "body": #"Hi "Bob""#, "count": "2"]))
    }

    @Test func finishInsideTypedTextIsText() throws {
        let r = try ActionParser.parse(#"<answer>do(action="Type", text="call finish(message=\"x\") later")</answer>"#)
        #expect(r.action == .type(#"call finish(message="x") later"#))
    }

    @Test func bareQuotesInAFinalStringAreRecovered() throws {
        // The model sometimes forgets to escape quotes in its last argument.
        let r = try ActionParser.parse(#"<answer>finish(message="已发送"你好"给张三")</answer>"#)
        #expect(r.action == .finish(message: #"已发送"你好"给张三"#))
        let t = try ActionParser.parse(#"do(action="Type", text="say "hi" now")"#)
        #expect(t.action == .type(#"say "hi" now"#))
    }

    @Test func twoActionsInOneAnswerAreAmbiguous() {
        do {
            _ = try ActionParser.parse(#"<answer>do(action="Back") do(action="Home")</answer>"#)
            Issue.record("parsed")
        } catch {
            #expect(error.kind == .ambiguous)
        }
    }

    @Test func unknownActionNamesTheChoices() {
        do {
            _ = try ActionParser.parse(#"do(action="Scroll", direction="down")"#)
            Issue.record("parsed")
        } catch {
            #expect(error.kind == .unknownAction("Scroll"))
            // Every kind is offered, from the one list of kinds.
            for kind in ActionKind.allCases { #expect(error.reason.contains(kind.rawValue)) }
        }
    }

    @Test func truncatedCallAfterAMentionIsAnError() {
        // The reasoning names a well-formed call, the real answer is cut off: not the mention.
        #expect(throws: ActionParseError.self) {
            try ActionParser.parse(#"Maybe finish(message="done")? No: do(action="Tap", element=[1"#)
        }
    }
}

@Suite struct ActionDescriptionTests {
    @Test func grammarTextRoundTrips() throws {
        let actions: [Action] = [
            .launch(app: "Settings"), .tap(GridPoint(x: 1, y: 999), sensitiveMessage: "pay"),
            .type("a\"b\\c\nd"), .wait(seconds: 2.5), .shortcut(name: "dial", arguments: ["number": "123"]),
            .finish(message: "done")
        ]
        for a in actions { #expect(try ActionParser.parse(a.grammarText).action == a) }
        #expect(Action.tap(GridPoint(x: 3, y: 4), sensitiveMessage: nil).grammarText == #"do(action="Tap", element=[3,4])"#)
        #expect(Action.wait(seconds: 2).grammarText == #"do(action="Wait", duration="2 seconds")"#)
    }

    @Test func logDescriptionsAreShortAndSingleLine() {
        #expect(Action.tap(GridPoint(x: 3, y: 4), sensitiveMessage: nil).description == "Tap [3,4]")
        let long = Action.type(String(repeating: "x", count: 100) + "\n")
        #expect(long.description.count < 80)
        #expect(!long.description.contains("\n"))
    }

    @Test func gridMapsToPixelsAndClamps() {
        #expect(GridPoint(x: 0, y: 0).pixel(width: 1080, height: 2400) == (0, 0))
        #expect(GridPoint(x: 500, y: 500).pixel(width: 1080, height: 2400) == (540, 1200))
        #expect(GridPoint(x: 999, y: 999).pixel(width: 1080, height: 2400) == (1078, 2397))
        #expect(GridPoint(x: 1500, y: -20).pixel(width: 1080, height: 2400) == (1078, 0))
    }
}

@Suite struct ActionKindTests {
    @Test func everyActionRoundTripsThroughItsGrammarLineAndKeepsItsKind() throws {
        let samples: [Action] = [
            .launch(app: "设置"), .tap(GridPoint(x: 1, y: 998), sensitiveMessage: nil),
            .tap(GridPoint(x: 500, y: 500), sensitiveMessage: "Pay 5 €"), .type("a \"b\"\n"), .typeName("Ann"),
            .swipe(from: GridPoint(x: 0, y: 0), to: GridPoint(x: 999, y: 999)), .longPress(GridPoint(x: 3, y: 4)),
            .doubleTap(GridPoint(x: 5, y: 6)), .back, .home, .wait(seconds: 2.5), .takeOver(message: "log in"),
            .interact, .note(message: "True"), .callAPI(instruction: "sum up"),
            .shortcut(name: "wifi", arguments: ["on": "true"]), .finish(message: "done")
        ]
        // The samples cover every kind, so a new kind fails here until it has one.
        #expect(Set(samples.map(\.kind)) == Set(ActionKind.allCases))
        for action in samples {
            let back = try ActionParser.parse(action.grammarText).action
            #expect(back == action)
            #expect(back.name == action.kind.rawValue)
        }
    }

    @Test func spellingsOfAKind() {
        #expect(ActionKind(spelling: "long_press") == .longPress)
        #expect(ActionKind(spelling: "LongPress") == .longPress)
        #expect(ActionKind(spelling: "take-over") == .takeOver)
        #expect(ActionKind(spelling: "TYPE_NAME") == .typeName)
        #expect(ActionKind(spelling: "Scroll") == nil)
        #expect(ActionKind(spelling: "") == nil)
    }
}
