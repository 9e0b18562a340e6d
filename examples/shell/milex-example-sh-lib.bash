# shellcheck shell=bash
# Shared by milex-example-sh and milex-example-sh-cli: the argument parser and a JSON string escaper.
# Every option is spelled like its key in the JSON (--exit_code, not --exit-code), so milex's
# `--key=value` rendering of the -cli's JSON parses back to the same arguments.

# mxsh_json_string TEXT: print TEXT as a JSON string literal (with the quotes), byte-exact.
# `"` and `\` are escaped, newline/tab/CR become \n \t \r, other bytes 0x01-0x1f become \u00XX,
# every other byte (UTF-8 text, `$`, backticks, `'`, DEL) passes through unchanged.
# (A bash string cannot hold a NUL byte, so 0x00 never occurs.)
mxsh_json_string() {
    local LC_ALL=C   # byte semantics: never split or merge multi-byte characters
    # shellcheck disable=SC1003  # bs is one backslash
    local s=$1 bs='\' q='"' code oct c esc
    # Quoted patterns and quoted replacements: literal text (and no `&` expansion in bash >= 5.2).
    s=${s//"$bs"/"$bs$bs"}
    s=${s//"$q"/"$bs$q"}
    s=${s//$'\n'/"${bs}n"}
    s=${s//$'\t'/"${bs}t"}
    s=${s//$'\r'/"${bs}r"}
    if [[ $s == *[$'\001'-$'\037']* ]]; then   # rare: other control characters, one code at a time
        for ((code = 1; code < 32; code++)); do
            printf -v oct '%03o' "$code"
            # shellcheck disable=SC2059  # the octal escape must be in the format
            printf -v c "\\$oct"          # the byte itself
            printf -v esc '\\u%04x' "$code" # its JSON escape
            s=${s//"$c"/"$esc"}
        done
    fi
    printf '"%s"' "$s"
}

# mxsh_usage PROG: the usage line.
mxsh_usage() {
    printf 'usage: %s [-h] [--message TEXT] [--count N] [--exit_code N] [--sleep SECONDS] [--loud]\n' "$1"
}

# mxsh_fail PROG MESSAGE: usage and an argparse-style error on stderr, exit 2.
mxsh_fail() {
    mxsh_usage "$1" >&2
    printf '%s: error: %s\n' "$1" "$2" >&2
    exit 2
}

# mxsh_int PROG OPTION VALUE: print VALUE as a canonical integer (no leading zeros) or fail.
mxsh_int() {
    local v=$3 sign=''
    [[ $v =~ ^[+-]?[0-9]+$ ]] || mxsh_fail "$1" "argument $2: invalid int value: '$v'"
    [[ $v == [+-]* ]] && { [[ $v == -* ]] && sign=-; v=${v:1}; }
    while [[ $v == 0?* ]]; do v=${v:1}; done
    ((${#v} <= 18)) || mxsh_fail "$1" "argument $2: int value too large: '$3'"
    [[ $v == 0 ]] && sign=''
    printf '%s%s' "$sign" "$v"
}

# mxsh_seconds PROG OPTION VALUE: print VALUE (a non-negative number of seconds) as a JSON number or fail.
mxsh_seconds() {
    local v=$3 int frac exp
    if ! [[ $v =~ ^\+?([0-9]*)(\.([0-9]*))?([eE][+-]?[0-9]+)?$ ]] || [[ -z ${BASH_REMATCH[1]}${BASH_REMATCH[3]} ]]; then
        mxsh_fail "$1" "argument $2: invalid non-negative number: '$v'"
    fi
    int=${BASH_REMATCH[1]} frac=${BASH_REMATCH[3]} exp=${BASH_REMATCH[4]}
    while [[ $int == 0?* ]]; do int=${int:1}; done
    [[ $int ]] || int=0
    [[ $exp == [eE]+* ]] && exp=e${exp:2}
    printf '%s%s%s' "$int" "${frac:+.$frac}" "$exp"
}

# mxsh_parse PROG ARGS...: parse into MXSH_MESSAGE, MXSH_COUNT, MXSH_EXIT_CODE, MXSH_SLEEP, MXSH_LOUD
# (exits 2 with an error on bad arguments, 0 after printing the usage for -h/--help).
mxsh_parse() {
    local prog=$1 opt val has_val
    shift
    MXSH_MESSAGE=hello MXSH_COUNT=1 MXSH_EXIT_CODE=0 MXSH_SLEEP=0 MXSH_LOUD=false
    while (($#)); do
        opt=$1 has_val=0 val=''
        case $opt in
            -h | --help)
                mxsh_usage "$prog"
                exit 0
                ;;
            --loud)
                MXSH_LOUD=true
                shift
                continue
                ;;
            --message=* | --count=* | --exit_code=* | --sleep=*)
                opt=${1%%=*} val=${1#*=} has_val=1
                ;;
            --message | --count | --exit_code | --sleep) ;;
            *) mxsh_fail "$prog" "unrecognized argument: $1" ;;
        esac
        if ((!has_val)); then
            # Like argparse: the next word is the value unless it is missing or looks like an option.
            if (($# < 2)) || [[ $2 == -?* && ! $2 =~ ^-[0-9.] ]]; then
                mxsh_fail "$prog" "argument $opt: expected one argument"
            fi
            val=$2
            shift
        fi
        case $opt in
            --message) MXSH_MESSAGE=$val ;;
            --count) MXSH_COUNT=$(mxsh_int "$prog" "$opt" "$val") || exit 2 ;;
            --exit_code) MXSH_EXIT_CODE=$(mxsh_int "$prog" "$opt" "$val") || exit 2 ;;
            --sleep) MXSH_SLEEP=$(mxsh_seconds "$prog" "$opt" "$val") || exit 2 ;;
        esac
        shift
    done
}

# mxsh_json: the parsed arguments as one JSON object (what milex-example-sh-cli prints).
mxsh_json() {
    printf '{"message": %s, "count": %s, "exit_code": %s, "sleep": %s, "loud": %s}' \
        "$(mxsh_json_string "$MXSH_MESSAGE")" "$MXSH_COUNT" "$MXSH_EXIT_CODE" "$MXSH_SLEEP" "$MXSH_LOUD"
}
