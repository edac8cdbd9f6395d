# bash completion for lnsh(1): verbs, host aliases (from `lnsh hosts
# --aliases`, which reads the hosts file) and session names (asked of the
# server with `lnsh ls HOST`, one second at most). Installed into
# bash-completion's completions directory; or source it from ~/.bashrc.

# Session names on host $1, from the plain ls table (no jq needed).
_lnsh_sessions()
{
	LNSH_TIMEOUT=1 command lnsh ls "$1" 2>/dev/null |
	    awk 'NR > 1 { print $1 }'
}

_lnsh()
{
	local cur verb verbs hosts
	cur=${COMP_WORDS[COMP_CWORD]}
	verbs="ls new kill wait capture send keygen pubkey pair host hosts doctor"
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		case $cur in
		-*)	COMPREPLY=($(compgen -W "-h --help -V --version" \
			    -- "$cur")) ;;
		*)	hosts=$(command lnsh hosts --aliases 2>/dev/null)
			COMPREPLY=($(compgen -W "$verbs $hosts" -- "$cur")) ;;
		esac
		return 0
	fi
	verb=${COMP_WORDS[1]}
	case $verb in
	ls|new|kill|wait|capture|send|doctor)
		if [ "$COMP_CWORD" -eq 2 ]; then
			hosts=$(command lnsh hosts --aliases 2>/dev/null)
			COMPREPLY=($(compgen -W "$hosts" -- "$cur"))
		elif [ "$COMP_CWORD" -eq 3 ] && [ "$verb" != ls ] &&
		    [ "$verb" != new ] && [ "$verb" != doctor ]; then
			COMPREPLY=($(compgen -W \
			    "$(_lnsh_sessions "${COMP_WORDS[2]}")" -- "$cur"))
		fi
		case $verb:$cur in
		ls:-*)		COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
		capture:-*)	COMPREPLY=($(compgen -W "--scrollback \
				    --all --escapes" -- "$cur")) ;;
		doctor:-*)	COMPREPLY=($(compgen -W "--lan --wait" \
				    -- "$cur")) ;;
		wait:-*)	COMPREPLY=($(compgen -W "--timeout" -- "$cur")) ;;
		esac
		;;
	host)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "add rm" -- "$cur"))
		elif [ "$COMP_CWORD" -eq 3 ] &&
		    [ "${COMP_WORDS[2]}" = rm ]; then
			hosts=$(command lnsh hosts --aliases 2>/dev/null)
			COMPREPLY=($(compgen -W "$hosts" -- "$cur"))
		fi
		;;
	hosts)
		COMPREPLY=($(compgen -W "--aliases" -- "$cur"))
		;;
	keygen|pubkey|pair)
		;;
	*)
		# lnsh HOST NAME: attach; the second word is a session.
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$(_lnsh_sessions "$verb")" \
			    -- "$cur"))
		fi
		;;
	esac
	return 0
}
complete -F _lnsh lnsh
