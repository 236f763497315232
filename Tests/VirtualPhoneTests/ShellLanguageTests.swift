import ADB
import Foundation
import Testing
@testable import VirtualPhone

/// The shell language's parser errors, the constructs it refuses, and the places where mksh and
/// toybox deliberately answer otherwise than dash and coreutils (fixed expected output).
@Suite struct ShellLanguageTests {
    @Test func syntaxErrorsRunNothingAndExit2() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        for line in [
            "echo a; if true; then echo b", "echo a; echo 'open", "echo a; )", "echo a; fi", "echo a; for x in; do", "echo a; case x in",
            "echo a; { echo b", "echo a; echo $(echo b", "echo a |", "echo a &&"
        ] {
            let r = await sh(phone, line)
            #expect(r.status == 2 && r.out.isEmpty && r.err.hasPrefix("sh: syntax error"), "\(line): \(r)")
        }
    }

    @Test func parserBuildsTheTree() throws {
        guard case .list(let items) = try ShellParser.parse("a | b && ! c || d; (e) > f") else { Issue.record("not a list"); return }
        #expect(items.count == 2)
        guard case .or(.and(.pipeline(let stages, false), .pipeline(_, true)), .simple(let d)) = items[0] else { Issue.record("\(items[0])"); return }
        #expect(stages.count == 2 && d.words == ["d"])
        guard case .subshell(_, let redirects) = items[1] else { Issue.record("\(items[1])"); return }
        #expect(redirects.count == 1 && redirects[0].fd == 1 && redirects[0].target == "f")
        guard case .list(let one) = try ShellParser.parse("X=1 Y=$(a b) cmd 2>&1 'q w'"), case .simple(let c) = one.first else { Issue.record("no command"); return }
        #expect(c.assignments.map(\.name) == ["X", "Y"] && c.words == ["cmd", "'q w'"] && c.redirects.first?.operation == .duplicateOutput)
    }

    @Test func unsupportedConstructsExit2Loudly() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let cases: [(String, String)] = [
            ("sleep 1 &", "background jobs (&)"), ("cat <<EOF\nx\nEOF", "here-documents (<<)"), ("read x", "read"), ("set -e; false", "set -e"),
            ("ls -Z", "ls -Z"), ("sed 'y/a/b/' /dev/null", "sed command 'y'"), ("logcat", "logcat without -d (a stream that never ends)"),
            ("echo $((x++))", "'++' in arithmetic"), ("echo 3>f", "redirection of file descriptor 3"), ("echo ${x/a/b}", "${x/a/b}"),
            ("grep -r a /", "grep -r"), ("trap 'echo' EXIT", "trap"), ("seq 1.5 3", "seq with fractions"), ("date -d yesterday", "date -d"),
            ("echo a; source x; echo b", "source"), ("printf '%f' 1", "printf %f")
        ]
        for (line, what) in cases {
            let r = await sh(phone, line)
            #expect(r.status == 2 && r.err == "sh: \(what): not supported\n", "\(line): \(r)")
        }
        // What ran before the unsupported command ran; nothing after it does.
        let r = await sh(phone, "echo before; read x; echo after")
        #expect(r.out == "before\n" && r.status == 2)
    }

    @Test func mkshAndToyboxAnswersWhereDashDiffers() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        // mksh's echo takes -e (dash prints it); command -v and cd fail with 1 (dash: 127 and 2).
        #expect(await sh(phone, "echo -e 'a\\tb'").out == "a\tb\n")
        #expect(await sh(phone, "echo -E 'a\\tb'").out == "a\\tb\n")
        #expect(await sh(phone, "command -v nosuch; echo $?").out == "1\n")
        #expect(await sh(phone, "command -v cd; command -v ls; which ls input").out == "cd\n/system/bin/ls\n/system/bin/ls\n/system/bin/input\n")
        let cd = await sh(phone, "cd /nonexistent; echo $?")
        #expect(cd.out == "1\n" && cd.err == "sh: cd: /nonexistent: No such file or directory\n")
        let redirect = await sh(phone, "cat < /nope; echo $?")
        #expect(redirect.out == "1\n" && redirect.err == "sh: can't open /nope: No such file or directory\n")
        // $$ is the shell ps lists; HOME is / as under adbd; the working directory starts at /.
        #expect(await sh(phone, "echo $$ ~ $HOME; pwd; ps | grep -c ' sh$'").out == "4242 / /\n/\n1\n")
        // toybox's ls -l: mode, links, owner, group, size, date and time, name.
        _ = await sh(phone, "mkdir -p /data/local/tmp/l && echo hello > /data/local/tmp/l/f.txt")
        let ls = await sh(phone, "ls -l /data/local/tmp/l")
        let long = try #require(ls.out.split(separator: "\n").last.map(String.init))
        #expect(ls.out.hasPrefix("total 4\n"))
        #expect(long.range(of: #"^-rw-[-r][-w]-[-r]-- 1 shell shell 6 \d{4}-\d\d-\d\d \d\d:\d\d f\.txt$"#, options: .regularExpression) != nil, "\(long)")
        #expect(await sh(phone, "ls -ld /data/local/tmp/l").out.hasPrefix("drwx"))
        // wc with several counts: toybox columns; ls of a missing file exits 1.
        #expect(await sh(phone, "printf 'a b\\nc\\n' | wc").out == "2       3       6\n")
        let missing = await sh(phone, "ls /nope")
        #expect(missing.status == 1 && missing.err == "ls: /nope: No such file or directory\n")
        // ps, df and date in toybox's formats, on the phone's clock.
        #expect(await sh(phone, "ps -A | head -n 1").out.hasPrefix("USER            PID   PPID     VSZ    RSS WCHAN"))
        #expect(await sh(phone, "df | head -n 1").out == "Filesystem      1K-blocks     Used Available Use% Mounted on\n")
        #expect(await sh(phone, "df -h | grep ' /data$'").out == "/dev/block/dm-5   50G   12G   38G  24% /data\n")
        let now = await phone.wallTime
        let date = Date(timeIntervalSince1970: now)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        #expect(await sh(phone, "date +%F").out == f.string(from: date) + "\n")
        #expect(await sh(phone, "date +%s").out == "\(Int(now))\n")
        #expect(await sh(phone, "date").out.range(of: #"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\n$"#, options: .regularExpression) != nil)
        #expect(await sh(phone, "logcat -d | head -n 1").out == "--------- beginning of main\n")
        #expect(await sh(phone, "cat /proc/uptime | wc -w").out == "2\n")
    }

    @Test func pipelinesStopWritersWhenTheReaderIsDone() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        // head leaves after one line; the writer's loop ends on the broken pipe instead of running on.
        let r = await sh(phone, "i=0; while true; do echo $i; i=$((i+1)); done | head -n 2")
        #expect(r.out == "0\n1\n")
        #expect(await sh(phone, "seq 3 | sh -c 'cat; echo end'").out == "1\n2\n3\nend\n")
        #expect(await sh(phone, "echo 'echo from stdin' | sh").out == "from stdin\n")
    }

    @Test func scriptsRunFromFiles() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        _ = await sh(phone, "printf 'echo script $1 $#\\nexit 5\\n' > /data/local/tmp/s.sh")
        #expect(await sh(phone, "sh /data/local/tmp/s.sh a b; echo $?").out == "script a 2\n5\n")
        #expect(await sh(phone, "/data/local/tmp/s.sh; echo $?").out == "126\n")
        #expect(await sh(phone, "/data/local/tmp/none.sh; echo $?").out == "127\n")
    }

    @Test func androidCommandsComposeWithTheLanguage() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        #expect(await sh(phone, "model=$(getprop ro.product.model); echo \"[$model]\"").out == "[Virtual Small]\n")
        #expect(await sh(phone, "if [ $(getprop ro.build.version.sdk) -ge 30 ]; then echo new; fi").out == "new\n")
        #expect(await sh(phone, "for ns in global; do settings put $ns wifi_on 0; settings get $ns wifi_on; done").out == "0\n")
        let n = await sh(phone, "pm list packages | wc -l").out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(await sh(phone, "c=0; for p in $(pm list packages); do c=$((c+1)); done; echo $c").out == n + "\n")
        #expect(await sh(phone, "uiautomator dump /sdcard/d.xml >/dev/null && grep -c '<node' /sdcard/d.xml").out != "0\n")
    }
}
