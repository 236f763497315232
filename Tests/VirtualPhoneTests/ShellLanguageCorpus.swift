/// The differential corpus: commands whose stdout and exit status must be the same from the
/// virtual phone's shell and from the host's POSIX sh (dash) with coreutils, run in identical
/// scratch trees. Commands where mksh/toybox and dash/coreutils deliberately differ (`echo -e`,
/// `ls -l`, `ps`, `df`, `date`, `wc` with several counts, `cd` failures, `ls` of a missing file)
/// are tested against fixed strings in ShellLanguageTests instead.
enum ShellLanguageCorpus {
    /// The scratch tree both shells start every command in.
    static let files: [(path: String, contents: String?)] = [
        ("a.txt", "apple\nbanana\ncherry\n"),
        ("b.txt", "one two three\nfour five\n\nsix\n"),
        ("nums.txt", "10\n9\n100\n-3\n9\n2\n"),
        ("csv.txt", "name:age:city\nann:31:paris\nbob:27:rome\ncid:45:oslo\n"),
        ("dup.txt", "a\na\nb\nb\nb\nc\na\n"),
        ("mixed.TXT", "Hello World\nhello world\nHELLO\n"),
        ("noeol.txt", "first\nlast line without newline"),
        (".hidden", "secret\n"),
        ("space name.txt", "spaced\n"),
        ("dir1", nil), ("dir1/x.log", "x\n"), ("dir1/y.log", "y\ny2\n"), ("dir1/sub", nil), ("dir1/sub/z.log", "z\n"),
        ("dir2", nil)
    ]

    static let handWritten: [String] = [
        // parameters, assignment, export, unset
        "X=5; echo $X", "X=5; echo ${X}", "X=5; echo \"$X\"'$X'", "echo $UNSET_VARIABLE_XYZ.", "X=a Y=b; echo $X$Y",
        "X=5 sh -c 'echo $X'; echo \"[$X]\"", "export X=7; sh -c 'echo $X'", "X=8; sh -c 'echo [$X]'", "X=9; export X; sh -c 'echo $X'",
        "X=1; unset X; echo \"[${X-unset}]\"", "f() { echo $#:$1:$2; }; f a 'b c' d", "set -- a b c; echo $# $2 $*",
        "set -- 'a b' c; for i in \"$@\"; do echo \"<$i>\"; done", "set -- 'a b' c; for i in $@; do echo \"<$i>\"; done",
        "set -- 'a b' c; for i in \"$*\"; do echo \"<$i>\"; done", "set -- a b c; shift; echo $@", "set -- x y; shift 2; echo \"[$#]\"",
        "set --; for i in \"$@\"; do echo x; done; echo done", "sh -c 'echo $0 $1 $2' name one two", "echo $#",
        "[ $$ -gt 0 ] && echo pid", "echo ${#UNSET_XYZ}", "v='a  b'; echo $v; echo \"$v\"", "IFS=:; v=a:b:c; for i in $v; do echo $i; done",
        "v=' lead trail '; echo [$v]", "X=~; echo $X", "echo ~", "echo ~/dir", "echo \"~\"", "echo a~b",
        // quoting and comments
        "echo 'single \"double\" $X'", "echo \"double 'single' \\$X \\\\ \\\"\"", "echo a\\ b\\ c", "echo 'a'\"b\"c", "echo # comment", "echo a #b c",
        "echo a#b", "echo ''", "echo \"\"", "printf '[%s]\\n' '' \"\" x", "echo \\'", "echo \"\\n\" '\\n'", "echo a\\\nb",
        // command substitution and arithmetic
        "echo $(echo hi)", "echo \"$(echo a; echo b)\"", "echo $(echo a; echo b)", "echo `echo back`", "echo \"`echo 'q d'`\"",
        "x=$(printf 'a\\n\\n\\n'); echo \"[$x]\"", "echo $(echo $(echo nested))", "x=$(false); echo $?", "x=$(exit 3); echo $?",
        "echo $((1 + 2 * 3))", "echo $(( (1 + 2) * 3 ))", "x=4; echo $((x * x))", "x=4; echo $(($x + 1))", "x=5; : $((x += 2)); echo $x",
        "echo $((7 / 2)) $((7 % 3)) $((-7 / 2))", "echo $((1 << 4)) $((255 >> 4)) $((6 & 3)) $((6 | 3)) $((6 ^ 3))",
        "echo $((3 > 2)) $((3 < 2)) $((2 == 2)) $((2 != 2)) $((!0)) $((~0))", "echo $((1 ? 10 : 20)) $((0 ? 10 : 20))",
        "echo $((0x10)) $((1 && 0)) $((0 || 3))", "n=3; while [ $n -gt 0 ]; do echo $n; n=$((n - 1)); done",
        // lists, exit status, subshells, groups
        "echo a; exit 7; echo b", "true && echo yes || echo no", "false && echo yes || echo no", "false; echo $?", "true; echo $?",
        "! true; echo $?", "! false; echo $?", "exit 3", "(exit 4); echo $?", "x=1; (x=2; echo $x); echo $x", "(echo a; echo b) | wc -l",
        "{ echo a; echo b; } | wc -l", "x=1; { x=2; }; echo $x", "nosuchcommand_xyz 2>/dev/null; echo $?", "false | true; echo $?",
        "true | false; echo $?", "echo a | (cat; echo b)", "(exit 300); echo $?", "exit", "false; exit", "sh -c 'exit 9'; echo $?",
        "echo a && { echo b; false; } || echo c", "cd dir1 && echo $(ls)", "cd dir1; cd sub; cat z.log", "(cd dir1; ls); ls | head -n 1",
        "eval 'echo a; echo b'", "cmd='echo evaluated'; eval $cmd",
        // control flow
        "if true; then echo t; else echo f; fi", "if false; then echo t; elif true; then echo e; else echo f; fi",
        "if false; then echo t; fi; echo $?", "for i in 1 2 3; do echo $i; done", "for i in a b; do for j in 1 2; do echo $i$j; done; done",
        "for f in *.txt; do echo \"file $f\"; done", "for i in 1 2 3 4; do [ $i = 3 ] && break; echo $i; done",
        "for i in 1 2 3 4; do [ $i = 2 ] && continue; echo $i; done", "for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; done",
        "i=0; until [ $i -ge 3 ]; do i=$((i+1)); echo $i; done", "i=0; while true; do i=$((i+1)); [ $i -gt 2 ] && break; done; echo $i",
        "case abc in a*) echo A;; b*) echo B;; esac", "case xyz in a*) echo A;; *) echo other;; esac", "case b in a|b) echo ab;; esac",
        "x=hello; case $x in h?llo) echo q;; esac", "case '*' in \\*) echo star;; esac", "case a.txt in *.[tT][xX][tT]) echo txt;; esac",
        "case x in y) echo y;; esac; echo $?", "f() { return 3; }; f; echo $?", "f() { echo in; }; f; f",
        "f() { local_var=1; }; f; echo $local_var", "f() { echo $1; shift; echo $1; }; f a b; echo \"[$1]\"",
        "if [ -d dir1 ]; then echo dir; fi", "while false; do echo never; done; echo $?",
        // redirections
        "echo a > out.txt; echo b >> out.txt; cat out.txt", "echo x > out.txt; echo y > out.txt; cat out.txt", "cat < a.txt",
        "wc -l < a.txt", "echo err 1>&2", "echo err >&2 2>/dev/null; echo ok", "{ echo out; echo err >&2; } 2>/dev/null",
        "{ echo out; echo err >&2; } 2>&1 | wc -l", "{ echo out; echo err >&2; } 2>err.txt; cat err.txt", "cat nosuchfile 2>/dev/null; echo $?",
        "cat nosuchfile 2>&1 >/dev/null | wc -l", "echo a >/dev/null; echo $?", "ls > list.txt; cat list.txt", "echo a > dir1/new; cat dir1/new",
        "for i in 1 2; do echo $i; done > loop.txt; cat loop.txt", "if true; then echo in-if; fi > if.txt; cat if.txt", "(echo sub) > s.txt; cat s.txt",
        "echo data > 'quoted name.txt'; cat quoted\\ name.txt", "f=o.txt; echo v > $f; cat o.txt",
        // globbing
        "echo *.txt", "echo *", "echo .*", "echo dir1/*", "echo */", "echo d*/*.log", "echo ?.txt", "echo [ab].txt", "echo [!a].txt",
        "echo nomatch*", "echo \"*.txt\"", "echo '*'", "echo dir1/*/z.log", "x='*.txt'; echo $x", "x='*.txt'; echo \"$x\"", "echo [a-c]*",
        "ls *.txt", "ls -d dir*", "ls dir1", "ls -a dir1", "ls dir1 dir2", "ls -1 dir1/sub", "ls a.txt b.txt", "ls -r", "ls -A | head -n 3",
        // echo and printf
        "echo -n abc; echo", "echo a\\\\tb", "echo 'a\\tb'", "echo 'x\\cy'; echo z", "echo '\\0101'", "printf 'a\\tb\\n'", "printf '%s-%s\\n' a b c d",
        "printf '%d\\n' 42 -7", "printf '%5s|%-5s|\\n' ab cd", "printf '%x %X %o\\n' 255 255 8", "printf '%c\\n' hello", "printf '%%\\n'",
        "printf '%03d\\n' 7", "printf '%.2s\\n' abcdef", "printf '%b\\n' 'a\\nb'", "printf 'no newline'", "printf '%s\\n'", "printf '%d\\n' 0x1f",
        // test
        "[ -f a.txt ] && echo f", "[ -d a.txt ] || echo notdir", "[ -e nosuch ]; echo $?", "[ -s dir2 ]; echo $?", "[ -z '' ] && echo z",
        "[ -n '' ]; echo $?", "[ abc = abc ] && echo eq", "[ abc != abd ] && echo ne", "[ 3 -lt 10 ] && echo lt", "[ 10 -le 10 ] && echo le",
        "test 5 -eq 5 && echo eq", "[ 2 -gt 3 -o 4 -gt 3 ] && echo or", "[ 2 -gt 3 -a 4 -gt 3 ]; echo $?", "[ ! -f nosuch ] && echo bang",
        "[ \\( 1 -eq 1 \\) ] && echo paren", "[ ]; echo $?", "[ x ]; echo $?", "test; echo $?", "[ a \\< b ] && echo less",
        // text tools
        "cat a.txt b.txt", "cat -n a.txt", "head -n 2 a.txt", "head -2 b.txt", "tail -n 1 a.txt", "tail -n +2 a.txt", "head -c 5 a.txt; echo",
        "tail -c 6 a.txt", "head -n 1 noeol.txt", "tail -n 1 noeol.txt; echo", "cat noeol.txt | wc -l", "seq 5", "seq 2 4", "seq 1 3 10",
        "seq 5 -1 3", "seq -s , 1 4", "seq -w 8 10", "echo hello | tr a-z A-Z", "echo hello | tr -d l", "echo aaabbb | tr -s ab",
        "echo 'a b  c' | tr ' ' '\\n'", "echo hello | tr '[:lower:]' '[:upper:]'", "cut -d: -f1 csv.txt", "cut -d: -f2,3 csv.txt",
        "cut -d: -f2- csv.txt", "cut -c1-3 a.txt", "echo no-delim | cut -d: -f2", "sed 's/a/A/' a.txt", "sed 's/a/A/g' a.txt",
        "sed -n 2p a.txt", "sed 2d a.txt", "sed '$d' a.txt", "sed -n '/an/p' a.txt", "sed '1,2d' a.txt", "sed 's/\\(a\\)\\(n\\)/\\2\\1/g' a.txt",
        "sed -e 's/a/1/' -e 's/e/2/' a.txt", "sed 's/[aeiou]//g' a.txt", "sed -E 's/(an)+/X/' a.txt", "sed 's/^/> /' a.txt", "sed 's/.*/[&]/' a.txt",
        "sed '/banana/!d' a.txt", "sed -n '$p' a.txt", "sed 's|a|/|g' a.txt", "sed 2q a.txt", "sed -n '2,3p' a.txt",
        "grep an a.txt", "grep -i hello mixed.TXT", "grep -v a a.txt", "grep -c a a.txt", "grep -n e a.txt", "grep -E 'ap|ch' a.txt",
        "grep -q banana a.txt; echo $?", "grep -q zzz a.txt; echo $?", "grep -o an a.txt", "grep zzz a.txt; echo $?", "grep an a.txt b.txt",
        "grep -l an a.txt b.txt", "grep -w one b.txt", "grep -x apple a.txt", "grep -F '.' a.txt; echo $?", "grep '^b' a.txt", "grep 'y$' a.txt",
        "grep -e apple -e cherry a.txt", "grep 'a\\{2\\}' a.txt; echo $?", "grep -c '' b.txt", "grep an nosuchfile; echo $?",
        "wc -l a.txt", "wc -l < b.txt", "wc -w < b.txt", "wc -c < a.txt", "cat a.txt | wc -l", "sort nums.txt", "sort -n nums.txt",
        "sort -rn nums.txt", "sort -u dup.txt", "sort -r a.txt", "sort -t: -k2 csv.txt", "uniq dup.txt", "uniq -c dup.txt", "uniq -d dup.txt",
        "uniq -u dup.txt", "sort dup.txt | uniq -c", "basename /a/b/c.txt", "basename /a/b/c.txt .txt", "basename /a/b/", "dirname /a/b/c.txt",
        "dirname c.txt", "dirname /a", "dirname /", "echo 1 2 3 | xargs echo n:", "printf 'a\\nb\\n' | xargs -n 1 echo x",
        "touch t1; [ -f t1 ] && echo made", "mkdir -p p/q/r && ls p/q", "mkdir dir2 2>/dev/null; echo $?", "cp a.txt c.txt && cat c.txt",
        "mv a.txt m.txt; ls m.txt; [ -e a.txt ]; echo $?", "rm a.txt; [ -e a.txt ]; echo $?", "rm -r dir1; ls", "rm nosuch 2>/dev/null; echo $?",
        "rm -f nosuch; echo $?", "cp a.txt dir2 && ls dir2", "cp -r dir1 dir3 && ls dir3", "rmdir dir2 && ls", "rm dir1 2>/dev/null; echo $?",
        "true | cat", "echo abc | cat -", "cat a.txt | head -n 1 | tr a-z A-Z", "cat a.txt | sort -r | head -n 2", "seq 10 | tail -n 3 | head -n 1",
        "seq 100 | grep 7 | wc -l", "echo a b c | { read_is_not_used=1; cat; }", "ls | grep txt | sort -r | head -n 2",
        "env X=1 | grep -c '^X=1$'"
    ]

    /// Commands from templates: parameter forms × values, arithmetic, tests, and text tools × files.
    static var generated: [String] {
        var out: [String] = []
        let values: [String?] = [nil, "", "abc", "a b", "x.y.z"]
        let forms = ["${v:-d}", "${v-d}", "${v:+p}", "${v+p}", "${#v}", "${v%.*}", "${v%%.*}", "${v#*.}", "${v##*.}", "${v:=q}", "${v=q}", "$v"]
        for value in values {
            for form in forms {
                let set = value.map { "v='\($0)'; " } ?? "unset v; "
                out.append(set + "echo \"[\(form)]\" \"[$v]\"")
            }
        }
        let expressions = [
            "1+1", "10-3*2", "(10-3)*2", "17/5", "17%5", "-5+2", "2*-3", "1<2", "2<=1", "5>3&&2>1", "0||0", "!5", "~5", "3^5", "12&10",
            "12|3", "1<<10", "1024>>3", "5==5", "5!=5", "1?2:3", "0?2:3", "(1+2)*(3+4)", "100/7/2", "-(-3)", "7*6"
        ]
        for e in expressions { out.append("echo $((\(e)))") }
        let operands = ["0", "1", "10", "-2"]
        for a in operands {
            for b in operands {
                for op in ["-eq", "-ne", "-lt", "-gt"] { out.append("[ \(a) \(op) \(b) ]; echo $?") }
            }
        }
        for s in ["a", "b", ""] {
            for t in ["a", ""] { out.append("[ '\(s)' = '\(t)' ]; echo $?"); out.append("[ '\(s)' != '\(t)' ]; echo $?") }
        }
        let tools = [
            "cat", "head -n 1", "tail -n 2", "wc -l", "sort", "sort -r", "uniq", "grep -c a", "grep -v e", "sed -n 1p", "tr a-z A-Z",
            "cut -c1-2", "head -c 3", "tail -c 3", "sed 's/e/E/g'"
        ]
        for file in ["a.txt", "b.txt", "dup.txt", "csv.txt", "noeol.txt"] {
            for tool in tools {
                out.append("\(tool) < \(file)")
                out.append("cat \(file) | \(tool)")
            }
        }
        for list in ["true; true", "true; false", "false; true", "true && false", "false || true", "false && true", "true || false", "! true || true"] {
            out.append("\(list); echo $?")
            out.append("(\(list)); echo $?")
        }
        return out
    }

    static var all: [String] { handWritten + generated }
}
