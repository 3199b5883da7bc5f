# reports/consumers/prove.pl FILE — read a TAP file with TAP::Parser, the
# parser behind prove (Test::Harness), and print "tests N pass P fail F skip
# S yaml Y"; exit 1 on any parse error (unsupported version, plan mismatch,
# lines out of place) or an unreadable YAML block.
use strict;
use warnings;
use TAP::Parser;

open(my $fh, '<:raw', $ARGV[0]) or die "$ARGV[0]: $!\n";
my $tap = do { local $/; <$fh> };
my $p = TAP::Parser->new({ tap => $tap });
my ($n, $ok, $fail, $skip, $yaml, @bad) = (0, 0, 0, 0, 0);
my $last;
while (my $r = $p->next) {
    if ($r->is_test) {
        $n++;
        $skip++ if $r->has_skip;
        if ($r->is_ok) { $ok++ } else { $fail++ }
        $last = $r;
    } elsif ($r->is_yaml) {
        my $d = $r->data;
        if (ref $d eq 'HASH' && exists $d->{scenario}) { $yaml++ }
        else { push @bad, "YAML block after test " . ($last ? $last->number : 0) . " unreadable" }
    } elsif ($r->is_unknown) {
        push @bad, "unknown line: " . substr($r->as_string, 0, 80);
    }
}
push @bad, $p->parse_errors;
push @bad, "YAML blocks $yaml but $fail failures" if $yaml != $fail && !@bad;
if (@bad) { print join('; ', @bad[0 .. ($#bad < 4 ? $#bad : 4)]), "\n"; exit 1 }
printf "tests %d pass %d fail %d skip %d yaml %d (TAP version %d, Test::Harness %s)\n",
    $n, $ok, $fail, $skip, $yaml, $p->version, $TAP::Parser::VERSION;
