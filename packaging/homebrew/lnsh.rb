# Homebrew formula for lnsh, built from the release tarball that
# `make distcheck` produces and checks (Makefile.am; scripts/test runs it).
#
# Making a release fills in two lines:
#   url     where lnsh-VERSION.tar.gz is published (the placeholder host
#           below is not real; give the project's real address, and the
#           same in homepage);
#   sha256  the tarball's checksum: `shasum -a 256 lnsh-VERSION.tar.gz`
#           (macOS) or `sha256sum lnsh-VERSION.tar.gz` (Linux).
# tests/regress/formula.sh checks that this file parses (ruby -c) and that
# it names every dependency configure.ac requires.
#
# Not here on purpose: a `service do` block. lnshd must run as root with no
# UserName (Local Network Privacy; docs/service.md), and `lnshd install`
# writes and loads its own LaunchDaemon, org.lnsh.lnshd; a second,
# Homebrew-made plist for the same program would fight it for the port.
class Lnsh < Formula
  desc "Remote shell sessions that survive roaming, sleep and restarts"
  homepage "https://lnsh.example/"
  url "https://lnsh.example/releases/lnsh-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"

  # configure requires cmocka (make check's unit test framework) and
  # python3 (test helpers) even when the tests are not run.
  depends_on "cmocka" => :build
  depends_on "pkgconf" => :build
  depends_on "libevent"
  depends_on "libsodium"
  depends_on "libvterm"
  depends_on "ncurses"
  # protobuf-c: protoc-c at build time, libprotobuf-c at run time.
  depends_on "protobuf-c"
  # zstd: SSP frames are compressed (docs/sync.md).
  depends_on "zstd"

  uses_from_macos "python" => :build

  def install
    # The tarball ships configure, so no autoreconf. Arguments spelled out
    # as in mosh's formula: configure does not know --disable-debug from
    # std_configure_args. --disable-werror: CI builds with -Werror; a newer
    # compiler's new warning must not stop someone's install.
    system "./configure", "--prefix=#{prefix}",
                          "--disable-dependency-tracking",
                          "--disable-silent-rules",
                          "--disable-werror"
    # make install puts lnsh in bin, lnshd in sbin, lnsh-holder in libexec,
    # the man pages in share/man, zsh completion in share/zsh/site-functions
    # (zsh_completion), fish completion in share/fish/vendor_completions.d
    # (fish_completion) and the launchd plist in share/lnsh; bash completion
    # goes where Homebrew's bash-completion formulae both look.
    system "make", "install", "bashcompdir=#{bash_completion}"
    # The first-run checklist the caveats point to, and what it refers to.
    doc.install "docs/macos.md", "docs/quickstart.md", "docs/service.md"
  end

  def caveats
    <<~EOS
      To run lnshd at boot on this Mac (the server), as root:
        sudo lnshd install
      (if sudo does not find it: sudo #{opt_sbin}/lnshd install)
      This writes /Library/LaunchDaemons/org.lnsh.lnshd.plist (root:wheel,
      0644) and loads it with launchctl: launchd starts lnshd as root now
      and at every boot, and again whenever it exits. `lnshd install
      --dry-run` prints the file and every command first and changes
      nothing. The plist names this version's lnshd: after
      `brew upgrade lnsh`, run `sudo lnshd install` again (sessions survive
      it). `sudo lnshd uninstall` removes it.

      Then pair a client: run `lnshd pair` here as the user who will log
      in (not with sudo), and `lnsh pair ALIAS ADDRESS CODE` on the client.
      The first-run checklist for a Mac server and a Mac client:
        #{HOMEBREW_PREFIX}/share/doc/lnsh/macos.md
    EOS
  end

  test do
    assert_match "lnsh #{version}", shell_output("#{bin}/lnsh --version")
    assert_match "lnshd install", shell_output("#{sbin}/lnshd --help 2>&1", 2)

    # A single-user lnshd on a free loopback port, a client key it admits,
    # and a session that runs a command: the installed lnshd must find the
    # installed lnsh-holder in libexec. HOME is testpath here.
    ENV["LNSH_CONFIG_DIR"] = (testpath/"client").to_s
    assert_match "created client key", shell_output("#{bin}/lnsh keygen")
    (testpath/".config/lnsh").mkpath
    keys = testpath/".config/lnsh/authorized_keys"
    keys.write shell_output("#{bin}/lnsh pubkey")
    chmod 0600, keys
    state = testpath/"s"
    hostkey = shell_output("#{sbin}/lnshd pubkey --single-user --state-dir #{state}").strip
    port = free_port
    (testpath/"client/hosts").write "mini 127.0.0.1:#{port} #{hostkey}\n"

    log = testpath/"lnshd.log"
    pid = spawn sbin/"lnshd", "--single-user", "--state-dir", state,
                "--listen", "127.0.0.1:#{port}", [:out, :err] => log.to_s
    begin
      system bin/"lnsh", "new", "mini", "t", "--", "/bin/sh"
      system bin/"lnsh", "send", "mini", "t", "echo $((6*7))\\n"
      screen = ""
      20.times do
        screen = shell_output("#{bin}/lnsh capture mini t")
        break if screen.match?(/^42$/)

        sleep 0.5
      end
      assert_match(/^42$/, screen)
    ensure
      # Sessions outlive lnshd by design: end them, then lnshd.
      system sbin/"lnshd", "kill-all", "--single-user", "--state-dir", state
      Process.kill("TERM", pid)
      Process.wait(pid)
    end
  end
end
