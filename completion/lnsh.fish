# fish completion for lnsh(1): verbs, host aliases (`lnsh hosts
# --aliases`, which reads the hosts file) and session names (asked of the
# server with `lnsh ls HOST`, one second at most). Installed into
# $(datadir)/fish/vendor_completions.d, where fish finds it by the
# command's name; or copy it to ~/.config/fish/completions.
#
# Completion only reads: it runs `lnsh hosts` and `lnsh ls`, never a verb
# that changes anything.

# The host aliases in the hosts file.
function __lnsh_hosts
    command lnsh hosts --aliases 2>/dev/null
end

# Session names on host $argv[1], from the plain ls table.
function __lnsh_sessions
    set -l lines (env LNSH_TIMEOUT=1 lnsh ls $argv[1] 2>/dev/null)
    test (count $lines) -gt 1; or return 0
    for l in $lines[2..-1]
        string replace -r '\s.*$' '' -- $l
    end
end

# The candidates for the word under the cursor, one a line, a tab before
# the description where there is one.
function __lnsh_complete
    set -l t (commandline -opc)
    set -l cur (commandline -ct)
    set -l n (count $t)
    if test $n -le 1
        if string match -q -- '-*' $cur
            printf '%s\n' -h --help -V --version
            return 0
        end
        printf '%s\n' \
            'attach'\t'attach to a session' \
            'ls'\t'list the sessions on HOST' \
            'new'\t'start a session' \
            'kill'\t'end a session' \
            'wait'\t'wait for a session to end; exit with its status' \
            'capture'\t'print a session screen' \
            'send'\t'type text into a session' \
            'keygen'\t'create the client key' \
            'pubkey'\t'print the client public key line' \
            'pair'\t'pair with a server using a one-time code' \
            'host'\t'add or remove a server in the hosts file' \
            'hosts'\t'list the hosts file' \
            'doctor'\t'check local network access of sessions' \
            'help'\t'print the help'
        for h in (__lnsh_hosts)
            printf '%s\t%s\n' $h host
        end
        return 0
    end
    set -l verb $t[2]
    switch $verb
        case ls new kill wait capture send doctor attach
            if string match -q -- '-*' $cur
                switch $verb
                    case ls
                        printf '%s\n' --json
                    case capture
                        printf '%s\n' --scrollback --all --escapes
                    case doctor
                        printf '%s\n' --lan --wait
                    case wait
                        printf '%s\n' --timeout
                    case attach
                        printf '%s\n' --predict=adaptive --predict=always \
                            --predict=never --no-create --hint
                end
            else if test $n -eq 2
                __lnsh_hosts
            else if test $n -eq 3; and contains -- $verb kill wait capture send attach
                __lnsh_sessions $t[3]
            end
        case host
            if test $n -eq 2
                printf '%s\n' add rm
            else if test $n -eq 3; and test "$t[3]" = rm
                __lnsh_hosts
            end
        case hosts
            printf '%s\n' --aliases
        case keygen pubkey pair help
        case '-*'
        case '*'
            # lnsh HOST NAME: attach; the second word is a session.
            if string match -q -- '-*' $cur
                printf '%s\n' --predict=adaptive --predict=always \
                    --predict=never --no-create --hint
            else if test $n -eq 2
                __lnsh_sessions $verb
            end
    end
end

complete -c lnsh -f -a '(__lnsh_complete)'
