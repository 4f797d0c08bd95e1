#!/usr/bin/env bash
# Turns the `public` access keyword into `package` in the library targets' Swift sources: nothing outside this
# package imports them, so `package` says what the code means. Comments and string
# literals are left as they are; the executables (fake-sllm, moecap-eval) are not touched.
#
# Usage: scripts/public-to-package.sh          rewrite in place, then print the counts
#        scripts/public-to-package.sh --count  only print the `public` / `package` keywords per target
#
# What it relies on (checked when written): no `open` and no `@_spi` declarations in the library targets
# (`open` could not become `package` where another module subclasses); `@inlinable` and `@usableFromInline` work
# on `package` declarations (Swift 5.9+); every swiftc call outside SwiftPM passes `-package-name` (Fuzz/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Library targets: every Swift target in Sources except the executables named in Package.swift.
executables=$(perl -0ne 'print "$1\n" while /\.executableTarget\(\s*name:\s*"([^"]+)"/g' Package.swift)
targets=()
for dir in Sources/*/; do
    name=$(basename "$dir")
    grep -qx "$name" <<<"$executables" && continue
    [ -n "$(find "$dir" -name '*.swift' -print -quit)" ] && targets+=("$name")
done

# One pass over a file: comments and string literals (single-line, multi-line, raw) are matched first and kept,
# so only a `public` in code is a match. Prints "public N package M" for the file's code with --count.
scan='
    my ($public, $package) = (0, 0);
    s{
        ( //[^\n]*                              # line comment (doc comments too)
        | /\*.*?\*/                             # block comment
        | (\#*)"""(?s:.*?)"""\2                 # multi-line string, raw or not
        | \#+"(?:[^"\n]|"(?!\#))*"\#+           # raw string
        | "(?:\\.|[^"\\\n])*"                   # string
        )
      | (?<![.\w@`])(public|package)(?=[\s(])
    }{
        if (defined $1) { $1 }
        elsif ($3 eq "public") { $public++; $ENV{REWRITE} ? "package" : "public" }
        else { $package++; $3 }
    }gsex;
    print STDERR "$public $package\n" if $ENV{COUNT};
'

count() {
    local total_public=0 total_package=0
    for t in "${targets[@]}"; do
        local p=0 k=0
        while read -r a b; do p=$((p + a)); k=$((k + b)); done < <(
            find "Sources/$t" -name '*.swift' -print0 | xargs -0 env COUNT=1 REWRITE= perl -0ne "$scan" 2>&1)
        printf '%-16s public %5d   package %5d\n' "$t" "$p" "$k"
        total_public=$((total_public + p))
        total_package=$((total_package + k))
    done
    printf '%-16s public %5d   package %5d\n' "(libraries)" "$total_public" "$total_package"
}

if [ "${1:-}" = "--count" ]; then
    count
    exit 0
fi
for t in "${targets[@]}"; do
    find "Sources/$t" -name '*.swift' -print0 | xargs -0 env REWRITE=1 COUNT= perl -0pi -e "$scan"
done
count
