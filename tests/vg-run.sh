#!/bin/sh
# vg-run.sh TEST: the LOG_COMPILER of `make check-valgrind` (Makefile.am).
# A unit test binary runs under memcheck itself; a regress script runs as
# usual with LNSH_VALGRIND set, and lib.sh then starts lnshd and
# lnsh-holder through wrappers that run them under memcheck. Every
# memcheck writes its report to $LNSH_VG_LOGDIR/NAME.PID.log, which
# Makefile.am reads for errors and definite leaks when all have run.
: "${LNSH_VG_LOGDIR:?run through make check-valgrind}"
LNSH_VALGRIND="valgrind --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --track-fds=no --child-silent-after-fork=yes"
export LNSH_VALGRIND LNSH_VG_LOGDIR
case $1 in
*.sh)
	exec sh "$1"
	;;
*)
	exec $LNSH_VALGRIND \
	    --log-file="$LNSH_VG_LOGDIR/$(basename "$1").%p.log" "$1"
	;;
esac
