# bash completion for lnshd(8): subcommands and options.

_lnshd()
{
	local cur prev cmds opts
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmds="pubkey status kill-all pair authorize authorized revoke install
	    uninstall service-status"
	opts="--config --listen --state-dir --single-user -v --help"
	COMPREPLY=()
	case $prev in
	--config|-f|--state-dir|-s|--root)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	--user)
		COMPREPLY=($(compgen -u -- "$cur"))
		return 0 ;;
	--platform)
		COMPREPLY=($(compgen -W "launchd systemd" -- "$cur"))
		return 0 ;;
	esac
	case " ${COMP_WORDS[*]} " in
	*" pair "*)		opts="$opts --user --ttl" ;;
	*" authorize "*)	opts="$opts --user --comment" ;;
	*" authorized "*|*" revoke "*)	opts="$opts --user" ;;
	*" install "*|*" uninstall "*|*" service-status "*)
		opts="$opts --dry-run --platform --root" ;;
	esac
	case $cur in
	-*)	COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
	*)	COMPREPLY=($(compgen -W "$cmds" -- "$cur")) ;;
	esac
	return 0
}
complete -F _lnshd lnshd
