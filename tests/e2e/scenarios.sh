# scenarios.sh: the byte streams the end-to-end display tests play: the
# same scenario drawn directly by tmux and through fbplay (basic.sh), or
# through a real lnsh attach (attach-scenarios.sh), must look the same.
#
#   scenarios_write DIR   writes each scenario in $SCENARIOS, and title,
#                         as a file of that name in DIR
#   SCENARIOS             the scenarios that may be split into any frames;
#                         title is played whole only (see below)

SCENARIOS="utf8 sgr cursor region insdel wrap alt modes charset"

# scenarios_write DIR: the scenario files, one per name.
scenarios_write() {
	sw_dir=$1
	E='\033'
	# A line of exactly 80 columns: the next byte wraps.
	L80=$(printf '%080d' 0 | tr 0 x)

	printf "plain text\nUTF-8: caf\303\251 \346\227\245\346\234\254\350\252\236 wide, e\314\201 a\314\212\314\201 combining\n\360\237\230\200 emoji | \344\270\255 between\n%s%s\n" \
	    "$(printf '%079d' 0 | tr 0 w)" "$(printf '\346\227\245')" >"$sw_dir/utf8"

	printf "${E}[1mbold${E}[0m ${E}[2mfaint${E}[0m ${E}[3mitalic${E}[0m ${E}[4munder${E}[0m ${E}[4:3mcurly${E}[0m ${E}[5mblink${E}[0m ${E}[7mrev${E}[0m ${E}[8mhid${E}[0m ${E}[9mstrike${E}[0m\n" >"$sw_dir/sgr"
	i=0
	while [ $i -lt 8 ]; do
		printf "${E}[3${i}mf$i${E}[4${i}mb$i${E}[9${i}mF$i${E}[10${i}mB$i${E}[0m " >>"$sw_dir/sgr"
		i=$((i + 1))
	done
	printf '\n' >>"$sw_dir/sgr"
	# From 16: the emulator keeps 38;5;N (N < 16) as the same palette colour
	# as 3x/9x (it looks the same), which tmux alone tells apart.
	i=16
	while [ $i -lt 256 ]; do
		printf "${E}[38;5;${i}m#${E}[48;5;$(( 16 + (i * 7) % 240 ))m.${E}[0m" >>"$sw_dir/sgr"
		i=$((i + 5))
	done
	printf '\n' >>"$sw_dir/sgr"
	i=0
	while [ $i -lt 256 ]; do
		printf "${E}[38;2;$i;$((255 - i));$((i / 2))m@${E}[48;2;10;$i;200m " >>"$sw_dir/sgr"
		i=$((i + 9))
	done
	printf "${E}[0m\n${E}[1;3;4;7;38;5;100;48;2;1;2;3mmixed${E}[22;23;24;27mplain-ish${E}[0m\n${E}[44mbg erase${E}[K${E}[0m\n" >>"$sw_dir/sgr"

	printf "${E}[2J${E}[Hcursor${E}[5;10Hat 5,10${E}[3Cright${E}[2Dleft${E}[2Aup${E}[10;1H0123456789${E}[10;4H${E}[K${E}[12;1Habcdef${E}[12;3H${E}[1K${E}[15;20H${E}[41mred${E}[0m${E}[20;70Hend${E}[1;78H>>>>>${E}[24;1Hbottom${E}[3;3H" >"$sw_dir/cursor"

	{
		i=1
		while [ $i -le 24 ]; do
			printf 'row %d\n' $i
			i=$((i + 1))
		done
		printf "${E}[5;15r${E}[15;1H"
		i=1
		while [ $i -le 7 ]; do
			printf 'scrolled %d\n' $i
			i=$((i + 1))
		done
		printf "${E}[5;1H${E}M${E}Mreverse${E}[r${E}[20;1Hafter reset\n"
	} >"$sw_dir/region"

	{
		i=1
		while [ $i -le 20 ]; do
			printf 'line %d of text\n' $i
			i=$((i + 1))
		done
		printf "${E}[3;1H${E}[2L${E}[3;1Hinserted${E}[8;1H${E}[3M${E}[12;5H${E}[3@${E}[13;2H${E}[4P${E}[14;1H${E}[2X${E}[22;1H"
	} >"$sw_dir/insdel"

	printf "%s%s\nnext\n%s\n%sy\nshort\n" "$L80" "$L80" "$L80" "$L80" >"$sw_dir/wrap"

	printf "before alt\n${E}[?1049h${E}[Halt screen${E}[10;10Hmiddle${E}[?1049lafter alt\n${E}[?1049h${E}[2;2Hstill alt\n" >"$sw_dir/alt"

	printf "${E}[?1h${E}=${E}[?2004h${E}[?1002h${E}[?1006hmodes\n${E}[?25l" >"$sw_dir/modes"

	# vttest's menu 2 (main.c, tst_screen): a line of each character set
	# in five renditions, each cut by a DECSC, an ASCII 'A' at the top
	# and a DECRC, which must restore the set (DEC graphics: lines).
	{
		printf "${E}[2J${E}[12;1Hline:"
		for cset in 0 1 2 3; do
			case $cset in
			0) ch='*' ;; 1) ch=q ;; 2) ch=x ;; 3) ch='`' ;;
			esac
			scs=B
			[ $cset = 1 ] || [ $cset = 3 ] && scs=0
			i=0
			for a in 0 1 4 5 7; do
				printf "${E}[%d;%dH${E}[;%sm${E}(%s%s%s%s%s%s${E}7" \
				    $((10 + 2 * cset)) $((12 + 12 * i)) $a $scs \
				    "$ch" "$ch" "$ch" "$ch" "$ch"
				printf "${E}[%d;%dH${E}[m${E}(BA${E}8%s%s%s%s%s" \
				    $((cset + 1)) $((i + 1)) \
				    "$ch" "$ch" "$ch" "$ch" "$ch"
				i=$((i + 1))
			done
		done
		printf "${E}[m${E}(B${E}[21;1Hdone\n"
	} >"$sw_dir/charset"
	# Whole only: libvterm 0.1.4 drops an OSC split between two writes.
	printf "${E}]2;a title${E}\\\\titled\n" >"$sw_dir/title"
}

# acs_to_glyphs: a capture-pane -e of tmux's own pane on stdin, with the
# DEC graphics it keeps as SO, the ASCII letter, SI turned into the
# characters an emulator draws for them (those the charset scenario uses),
# so that it compares with a pane lnsh or fbplay drew.
acs_to_glyphs() {
	LC_ALL=C awk '
	BEGIN {
		m["q"] = "\342\224\200"; m["x"] = "\342\224\202"
		m["`"] = "\342\227\206"; so = 0
	}
	{
		out = ""; esc = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (esc == 1) {
				esc = c == "[" ? 2 : 0
			} else if (esc == 2) {
				if (c >= "@" && c <= "~")
					esc = 0
			} else if (c == "\033") {
				esc = 1
			} else if (c == "\016") {
				so = 1; continue
			} else if (c == "\017") {
				so = 0; continue
			} else if (so && (c in m)) {
				c = m[c]
			}
			out = out c
		}
		print out
	}'
}

# capture_pair PANE ARGS: capture-pane -p ARGS of tmux's own pane d and of
# PANE (lnsh or fbplay drew it) into $T/cap.d and $T/cap.PANE, the DEC
# graphics in both written alike: as glyphs with -e, else as letters.
capture_pair() {
	cp_pane=$1
	shift
	tm capture-pane -p "$@" -t d >"$T/cap.d.raw" &&
	    tm capture-pane -p "$@" -t "$cp_pane" >"$T/cap.$cp_pane.raw" ||
	    return 1
	if [ "${1:-}" = -e ]; then
		acs_to_glyphs <"$T/cap.d.raw" >"$T/cap.d"
		mv "$T/cap.$cp_pane.raw" "$T/cap.$cp_pane"
	else
		mv "$T/cap.d.raw" "$T/cap.d"
		glyphs_to_acs <"$T/cap.$cp_pane.raw" >"$T/cap.$cp_pane"
	fi
}

# glyphs_to_acs: the other way for a plain capture (no -e), in which tmux
# writes its own pane's DEC graphics as the bare ASCII letters.
glyphs_to_acs() {
	LC_ALL=C sed -e "s/$(printf '\342\224\200')/q/g" \
	    -e "s/$(printf '\342\224\202')/x/g" \
	    -e "s/$(printf '\342\227\206')/\`/g"
}
