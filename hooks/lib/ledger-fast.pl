# cleanroom: the ledger half of prepare-commit-msg's fast path (issue 14 §1), run by
# hooks/lib/no-ai-signal.sh (cleanroom_ledger_no_match) as `perl ledger-fast.pl LEDGER_DIR`.
#
# Exit 0, after printing every staged path (NUL-terminated, as `git diff-index -z` lists
# them: both sides of a move), only when it has shown that the ledger lookup of
# src/cli/local-signals.ts would find no entry: no staged blob id and no line hash of the
# staged content has its key (src/signals/ledger-keys.ts: the first 8 hex digits) in the
# ledger's key log — or the ledger lines the key log names for it hold none of them
# whole — and the key log describes this very ledger, checked as the Node reader checks
# it (identity to the nanosecond, owner and mode, crc32 of every region read, shape).
# Exit 3: a ledger line holds one (Node judges the match). Any other exit (a key log
# absent, stale, corrupt or foreign, content that is not well-formed UTF-8, a git
# failure) prints nothing and sends the commit to Node, which looks the ledger up in
# full. The wanted keys are a superset of what the lookup compares, so this can only send
# more commits to Node, never fewer: test/repo/core/ledger-fast-path.test.ts checks it
# against the full lookup on random ledgers and staged sets.
use strict;
# The two XS functions alone (sha1_hex, crc32), without their modules' Perl side (Exporter,
# Carp, constants): each module costs ~10 ms of CPU to load, the XS part ~3 ms (issue 14).
# Loaded as XSLoader's own fast path loads a module's shared object, without XSLoader:
# called from a script, not from the module's .pm, XSLoader cannot place the object and
# falls back to DynaLoader.pm, which loads vars, warnings and Config (~7 ms of CPU). The
# object is the one DynaLoader would take (the first of perl's @INC that has it: the
# caller's PERL5LIB and PERLLIB are dropped by the shell); a perl without it, or with a
# bootstrap file (.bs) that asks for more than the object, exits 1, and Node looks the
# ledger up.
sub xs {
  my ($module) = @_;
  (my $rel = $module) =~ s{::}{/}g;
  my ($leaf) = $module =~ /(\w+)\z/;
  DynaLoader::boot_DynaLoader('DynaLoader')
    if defined(&DynaLoader::boot_DynaLoader) && !defined(&DynaLoader::dl_error);
  defined(&DynaLoader::dl_load_file) or exit 1;
  for my $inc (@INC) {
    next if ref $inc || $inc !~ m{\A/};
    my $file = "$inc/auto/$rel/$leaf.so";
    next unless -f $file;
    exit 1 if -s "$inc/auto/$rel/$leaf.bs";
    my $lib = DynaLoader::dl_load_file($file, 0) or exit 1;
    (my $boot = "boot_$module") =~ s/\W/_/g;
    my $sym = DynaLoader::dl_find_symbol($lib, $boot) or exit 1;
    my $xs = DynaLoader::dl_install_xsub("${module}::bootstrap", $sym, $file);
    &$xs($module);
    return;
  }
  exit 1;
}
xs('Digest::SHA');
xs('Compress::Raw::Zlib');
sub sha1_hex { Digest::SHA::sha1_hex($_[0]) }
sub crc32    { Compress::Raw::Zlib::crc32($_[0]) }

# LEDGER_DIR, then the ledger's identity as the shell's `stat -c '%d %i %s %.9Y %.9Z'` printed
# it (cleanroom_zone_key: one stat for the key and for this), taken before the ledger is
# opened here.
# MSGFILE: the commit message, for the two questions prepare-commit-msg asks of it after
# the lookup (a `git revert` message; no final newline), answered here instead of by a grep
# and a tail: either one exits 1, and Node writes the trailers.
# POLICYSHA: the sha256 the zones note names; the work tree's policy must be that text
# (the zone path's sha256sum, here with the Digest::SHA already loaded: a process fewer).
my ($dir, $ident, $msgfile, $policySha) = @ARGV;
defined $dir && defined $ident && defined $msgfile && defined $policySha or exit 1;
{
  $policySha =~ /\A[0-9a-f]{64}\z/ or exit 1;
  open(my $pf, '<:raw', '.cleanroom/policy.yaml') or exit 1;
  -f $pf && -s _ <= 16 * 1024 * 1024 or exit 1;
  local $/;
  my $text = <$pf> // '';
  Digest::SHA::sha256_hex($text) eq $policySha or exit 1;
}
{
  open(my $mf, '<:raw', $msgfile) or exit 1;
  -f $mf && -s _ <= 1024 * 1024 or exit 1;
  local $/;
  my $m = <$mf> // '';
  # As `grep '^This reverts commit [0-9a-f]'` (any line) and `tail -c 1` (not a newline).
  exit 1 if $m =~ /^This reverts commit [0-9a-f]/m || ($m ne '' && substr($m, -1) ne "\n");
}

# As src/git/git.ts cleanEnv and BASE_ARGS: the settings and variables that reshape what
# git prints are pinned or dropped; no lazy fetch for the content (withoutLazyFetch).
$ENV{GIT_PAGER}              = 'cat';
$ENV{GIT_NO_REPLACE_OBJECTS} = '1';
$ENV{LC_ALL}                 = 'C';
$ENV{GIT_TERMINAL_PROMPT}    = '0';
$ENV{GIT_GRAFT_FILE}         = '/dev/null/grafts';
delete @ENV{
  qw(GIT_LITERAL_PATHSPECS GIT_GLOB_PATHSPECS GIT_NOGLOB_PATHSPECS GIT_ICASE_PATHSPECS
    GIT_DIFF_OPTS GIT_EXTERNAL_DIFF GIT_SHALLOW_FILE)
};
my @git = (
  'git', '--no-replace-objects',
  '-c', 'core.quotePath=false', '-c', 'diff.relative=false',
  '-c', 'diff.orderFile=/dev/null', '-c', 'core.fsmonitor=false',
  '-c', 'submodule.recurse=false',
);

# ---- the staged changes: the same diff-index as src/git/staged.ts (without renames: the
# added side of a move is the same blob) ----
my $raw = '';
{
  open(my $fh, '-|', @git, 'diff-index', '--cached', '--ita-invisible-in-index', '--raw', '-z',
    '--no-renames', '--no-abbrev', '--ignore-submodules=none', 'HEAD', '--')
    or exit 1;
  binmode $fh;
  local $/;
  $raw = <$fh> // '';
  close($fh) or exit 1;
}
my @paths;
my %blobs;
my $pos = 0;
while ($pos < length $raw) {
  my $nul = index($raw, "\0", $pos);
  $nul > $pos or exit 1;
  my $head = substr($raw, $pos, $nul - $pos);
  my ($m2, $id, $st) = $head =~ /\A:[0-7]{6} ([0-7]{6}) [0-9a-f]{40,64} ([0-9a-f]{40,64}) ([A-Z])\z/
    or exit 1;
  my $end = index($raw, "\0", $nul + 1);
  $end > $nul + 1 or exit 1;
  push @paths, substr($raw, $nul + 1, $end - $nul - 1);
  $pos = $end + 1;
  # As ledgerSignalsForStaged: not deleted, not a zero id, not a submodule.
  $blobs{$id} = 1 if $st ne 'D' && $id !~ /\A0+\z/ && $m2 ne '160000';
}

sub done { print map { "$_\0" } @paths; exit 0 }
done() unless %blobs;

# ---- the ledger and its key log, as ledger-keys.ts keyLogCandidates opens them ----
my $ledger = "$dir/ledger.jsonl";
my $keys   = "$dir/ledger.keys";
my @ls = lstat $ledger or exit 1;
-f _ or exit 1;
# Opened once: the lines read below are this file's, even if a compaction renames another
# into place meanwhile (checked: the device and inode the shell's stat named).
open(my $lf, '<:raw', $ledger) or exit 1;
my @lst = stat $lf;
my @ks = lstat $keys or exit 1;
(-f _) && ($ks[2] & 022) == 0 && $ks[4] == $< && $ls[4] == $< or exit 1;
# The ledger's identity to the nanosecond (perl's own stat has whole seconds), from the
# shell's stat, which the key log's header must name. The file opened must be the one it
# describes (same device and inode, and the size and whole seconds it saw): a write after
# that stat is one after the identity, as it always could be (the ledger is read last).
my ($dev, $ino, $size, $mt, $ct, $mts, $cts) = $ident =~ /\A(\d+) (\d+) (\d+) ((\d+)\.\d{9}) ((\d+)\.\d{9})\z/
  ? ($1, $2, $3, $4, $6, $5, $7) : exit 1;
s/\.// for $mt, $ct;
s/\A0+(?=\d)// for $mt, $ct;
$lst[0] == $dev && $lst[1] == $ino && $ls[1] == $ino or exit 1;
$lst[7] == $size && $lst[9] == $mts && $lst[10] == $cts or exit 1;

my %want;    # keys (u32)
my %full;    # the ids and line hashes themselves

# The line hashes of contentLines (src/signals/ledger.ts): none for binary content (a NUL
# in the first 8000 bytes); else the UTF-8 text split at "\n", each line trimmed and its
# whitespace runs made one space, as JavaScript's trim() and \s do (the class below is
# theirs), sha1 of its UTF-8 bytes. Lines of under 12 bytes are trivial to the lookup
# (under 12 UTF-16 units); the other triviality test (no letter, no digit) is not made
# here: a key too many only sends the commit to Node. Content that is not well-formed
# UTF-8 would be decoded by Node with replacement characters: Node's job.
my $ws = qr/[\t\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]/;
sub lines {
  my ($c) = @_;
  return if index(substr($c, 0, 8000), "\0") >= 0;
  if ($c =~ /[\x80-\xFF]/) {
    $c =~ /\A(?:[\x00-\x7F]+|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})*\z/
      or exit 1;
    utf8::decode($c) or exit 1;
  }
  for my $l (split /\n/, $c, -1) {
    $l =~ s/\A$ws+//;
    $l =~ s/$ws+\z//;
    $l =~ s/$ws+/ /g;
    utf8::encode($l);
    next if length $l < 12;
    my $h = substr(sha1_hex($l), 0, 12);
    $want{ hex(substr($h, 0, 8)) } = 1;
    $full{$h} = 1;
  }
}

# ---- the wanted keys: each blob id's, and each line hash's of the content the lookup reads ----
$want{ hex(substr($_, 0, 8)) } = 1 for keys %blobs;
$full{$_} = 1 for keys %blobs;
{
  local $ENV{GIT_NO_LAZY_FETCH}  = '1';
  local $ENV{GIT_ALLOW_PROTOCOL} = 'none';
  # git cat-file --batch-command --buffer, through two pipes of our own (IPC::Open2 costs
  # ~10 ms to load): the commands go in chunks of at most 128, each ended by `flush`, and
  # the chunk's answers are read before the next is written. One round trip per chunk
  # (one per blob took ~5 ms more of CPU for 100 blobs, in the switches between the two
  # processes), and no deadlock: a chunk's commands (under 10 KB) fit in the pipe whatever
  # git is doing, and git's answers are read in full before anything more is written.
  pipe(my $out, my $cw) or exit 1;
  pipe(my $cr, my $in) or exit 1;
  my $pid = fork() // exit 1;
  if (!$pid) {
    close $out;
    close $in;
    open(STDIN, '<&', $cr) or exit 1;
    open(STDOUT, '>&', $cw) or exit 1;
    exec(@git, 'cat-file', '--batch-command', '--buffer') or exit 1;
  }
  close $cw;
  close $cr;
  binmode $out;
  binmode $in;
  select((select($in), $| = 1)[0]);
  my $CHUNK = 128;
  my @ids = sort keys %blobs;
  my @read;    # [id, size] of the blobs whose lines the lookup reads
  for (my $i = 0; $i < @ids; $i += $CHUNK) {
    my @chunk = @ids[$i .. ($i + $CHUNK - 1 < $#ids ? $i + $CHUNK - 1 : $#ids)];
    print $in (map { "info $_\n" } @chunk), "flush\n";
    for my $id (@chunk) {
      my $info = <$out> // exit 1;
      next if $info eq "$id missing\n";
      # "<id> <type> <size>\n", taken apart without a pattern built per id (a regex
      # compiled for each line cost ~10 us a blob).
      substr($info, 0, length($id) + 1) eq "$id " or exit 1;
      my ($type, $n) = substr($info, length($id) + 1) =~ /\A([a-z]+) (\d+)\n\z/ or exit 1;
      push @read, [$id, $n] if $type eq 'blob' && $n <= 16 * 1024 * 1024;    # MAX_LINE_MATCH_BYTES
    }
  }
  for (my $i = 0; $i < @read; $i += $CHUNK) {
    my @chunk = @read[$i .. ($i + $CHUNK - 1 < $#read ? $i + $CHUNK - 1 : $#read)];
    print $in (map { "contents $_->[0]\n" } @chunk), "flush\n";
    for (@chunk) {
      my ($id, $n) = @$_;
      my $h = <$out> // exit 1;
      $h eq "$id blob $n\n" or exit 1;
      my $c = '';
      while (length $c < $n + 1) {
        my $got = read($out, $c, $n + 1 - length $c, length $c);
        $got or exit 1;
      }
      chop($c) eq "\n" or exit 1;
      lines($c);
    }
  }
  close $in;
  close $out;
  waitpid($pid, 0);
  $? == 0 or exit 1;
}

# ---- the key log: header, meta region, the wanted buckets, the tail ----
open(my $kf, '<:raw', $keys) or exit 1;
my @kst = stat $kf;
$kst[1] == $ks[1] && $kst[0] == $ks[0] or exit 1;    # the file lstat vouched for
my $fsize = $kst[7];
# sysseek and sysread: exactly the bytes asked for (seek and read refill an 8 KB buffer at
# every bucket: ~2 ms more for 200 buckets).
sub at {
  my ($len, $off) = @_;
  my $b = '';
  return $b unless $len;
  defined sysseek($kf, $off, 0) or exit 1;
  while (length $b < $len) {
    my $got = sysread($kf, $b, $len - length $b, length $b);
    $got or exit 1;
  }
  return $b;
}
my $HEADER  = 128;
my $BUCKETS = 1 << 16;
my $DIR     = 4 * ($BUCKETS + 1) + 4 * $BUCKETS;
my $hb = at($HEADER, 0);
my ($magic, $ver, $bits, $hdev, $hino, $hsize, $hmt, $hct, $n, $post, $bbytes, $crcMeta, $tlines,
  $crcTail) = unpack('a8 V V Q< Q< Q< Q< Q< V V Q< V V V', $hb);
$magic eq 'CRLKEYS2' && $ver == 2 && $bits == 16 && $bbytes <= 0xffffffff or exit 1;
"$hdev $hino $hsize $hmt $hct" eq "$dev $ino $size $mt $ct" or exit 1;
my $end = $HEADER + $DIR + 4 * ($n + 1) + 8 * $post;
$end <= $fsize && $bbytes <= $size && $n <= $bbytes or exit 1;
my $meta = at($DIR + 4 * ($n + 1), $HEADER);
crc32($meta) == $crcMeta or exit 1;
# One word of the meta region (bucket starts, then bucket crc32s), read where needed.
sub word { unpack('V', substr($meta, 4 * $_[0], 4)) }
my $postStart = $HEADER + $DIR + 4 * ($n + 1);
my %buckets;
my @hits;    # [start, end) of the ledger lines the key log names
$buckets{ $_ >> 16 } = 1 for keys %want;
for my $b (sort { $a <=> $b } keys %buckets) {
  my ($lo, $hi) = (word($b), word($b + 1));
  $hi >= $lo && $hi <= $post or exit 1;
  my $raw = at(8 * ($hi - $lo), $postStart + 8 * $lo);
  crc32($raw) == word($BUCKETS + 1 + $b) or exit 1;
  my @w = unpack('V*', $raw);
  for (my $i = 0; $i < @w; $i += 2) {
    ($w[$i] >> 16) == $b && $w[$i + 1] < $n or exit 1;
    push @hits, [word($DIR / 4 + $w[$i + 1]), word($DIR / 4 + $w[$i + 1] + 1), $bbytes]
      if $want{ $w[$i] };
  }
}
# The tail, walked in full, with the Node reader's bound on its size.
$fsize - $end <= 9 * ($size - $bbytes) or exit 1;
my $tail = at($fsize - $end, $end);
length($tail) % 4 == 0 && crc32($tail) == $crcTail or exit 1;
my @t = unpack('V*', $tail);
my ($offset, $seen) = ($bbytes, 0);
for (my $i = 0; $i < @t;) {
  $i + 2 <= @t or exit 1;
  my ($count, $length) = @t[$i, $i + 1];
  my $last = $i + 2 + $count;
  $length && $last <= @t or exit 1;
  for my $j ($i + 2 .. $last - 1) {
    if ($want{ $t[$j] }) { push @hits, [$offset, $offset + $length, $size]; last }
  }
  $offset += $length;
  $seen++;
  $i = $last;
}
$offset == $size && $seen == $tlines or exit 1;

# The lines the key log names share a key (8 hex digits) with the staged content; each is
# read, as Node reads it (src/signals/ledger.ts readCandidates), and is a match unless it holds none of the wanted ids and line
# hashes whole, as the JSON strings "<id>", and no backslash (an escape could spell one:
# Node parses such a line). Without a backslash, a JSON string is its own text. A line
# not between line boundaries: the key log lies, Node scans.
for my $hit (@hits) {
  my ($from, $to, $limit) = @$hit;
  $to > $from && $to <= $limit or exit 1;
  my $at = $from > 0 ? $from - 1 : 0;
  seek($lf, $at, 0) or exit 1;
  my $line = '';
  while (length $line < $to - $at) {
    my $got = read($lf, $line, $to - $at - length $line, length $line);
    $got or exit 1;
  }
  substr($line, -1) eq "\n" && ($from == 0 || substr($line, 0, 1) eq "\n") or exit 1;
  exit 3 if index($line, '\\') >= 0;
  for my $w (keys %full) { exit 3 if index($line, "\"$w\"") >= 0 }
}
done();
