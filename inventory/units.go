package inventory

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
)

// Quantities in scenario files are written with units. The rules, per
// dimension (docs/scenario.md has the full table):
//
//	cpu     vCPUs: 4, 0.5, 12; millicores 500m (= 0.5)
//	memory  bytes: 1073741824; binary Ki Mi Gi Ti Pi Ei (also KiB … EiB, any
//	        case), decimal k K M G T P E (Kubernetes convention). "GB", "gb",
//	        "Gb", "g", "m" … are refused as ambiguous, never guessed.
//	iops    operations/s: 5000, 5k (= 5000), 1.5M; an optional "iops" after
//	net     bits/s with a unit: 10Gbps, 500Mbps, 1Gbit/s, 100kb/s, 0;
//	        a bare non-zero number is refused (bits? bytes? Mbps?), and so
//	        are bytes per second ("1GB/s"), with the value in bits suggested.
//
// Numbers are decimal (an exponent such as 1e3 is allowed); negative, NaN,
// infinite and overflowing values are refused.

// unit is one accepted suffix and what it multiplies by.
type unit struct {
	suffix string
	mult   float64
}

var (
	memBinary = []unit{
		{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30},
		{"Ti", 1 << 40}, {"Pi", 1 << 50}, {"Ei", 1 << 60},
	}
	memDecimal = []unit{
		{"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
	}
	netUnits  = []unit{{"kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}, {"Tbps", 1e12}}
	iopsUnits = []unit{{"k", 1e3}, {"M", 1e6}}
)

// decimalPrefix maps a case-folded SI prefix letter to its power of ten.
var decimalPrefix = map[string]float64{"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15, "e": 1e18}

// ParseQuantity reads an amount of dimension dim as written in a scenario
// file and returns it in the dimension's base unit (vCPUs, bytes, IOPS,
// bits/s). Its errors say what was wrong and what to write instead, e.g.
//
//	"16GB" is ambiguous: write 16Gi (2^30 bytes) or 16G (10^9 bytes)
func ParseQuantity(dim Dimension, s string) (float64, error) {
	in := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty %s amount: %s", dim, example(dim))
	}
	num, rest, err := splitNumber(s)
	if err != nil {
		return 0, fmt.Errorf("%q: %v; %s", in, err, example(dim))
	}
	u := strings.TrimSpace(rest)
	spec := dim.Spec()
	if spec == nil {
		return 0, fmt.Errorf("unknown dimension %v", dim)
	}
	mult, err := spec.parseUnit(num, u)
	if err != nil {
		return 0, fmt.Errorf("%q %v", in, err)
	}
	v, err := parseDecimal(num)
	if err != nil {
		return 0, fmt.Errorf("%q: %v", in, err)
	}
	v *= mult
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is too large", in)
	}
	return v, nil
}

// example says how amounts of dim are written.
func example(dim Dimension) string {
	if s := dim.Spec(); s != nil {
		return s.Example
	}
	return ""
}

// splitNumber splits "1.5Gi" into "1.5" and "Gi". The number is digits with
// an optional fraction and exponent; an "e"/"E" not followed by a digit is
// left to the unit (memory's E is exa).
func splitNumber(s string) (num, rest string, err error) {
	if strings.HasPrefix(s, "-") {
		return "", "", errors.New("negative amounts are not allowed")
	}
	i := 0
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return "", "", errors.New("not a number")
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	if i < len(s) && (s[i] == '.' || isDigit(s[i]) || s[i] == ',' || s[i] == '_') {
		return "", "", errors.New("malformed number")
	}
	return s[:i], s[i:], nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseDecimal parses the number part split off by splitNumber.
func parseDecimal(num string) (float64, error) {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errors.New("number out of range")
	}
	return v, nil
}

func cpuUnit(num, u string) (float64, error) {
	switch u {
	case "":
		return 1, nil
	case "m":
		return 1e-3, nil
	}
	return 0, fmt.Errorf("has an unknown cpu unit %q: write vCPUs such as %s or millicores such as %sm", u, num, num)
}

func memoryUnit(num, u string) (float64, error) {
	if u == "" || u == "B" {
		return 1, nil
	}
	lower := strings.ToLower(u)
	for _, b := range memBinary {
		l := strings.ToLower(b.suffix)
		if lower == l || lower == l+"b" {
			return b.mult, nil
		}
	}
	for _, d := range memDecimal {
		if u == d.suffix || (d.suffix == "k" && u == "K") {
			return d.mult, nil
		}
	}
	// Anything else that starts with a prefix letter is a unit we refuse to
	// guess: GB (10^9 or 2^30?), Gb (gigabits?), g, m (milli in Kubernetes!).
	if p := strings.TrimSuffix(lower, "b"); len(p) == 1 && strings.Contains("kmgtpe", p) {
		up := strings.ToUpper(p)
		dec := up
		if up == "K" {
			dec = "k"
		}
		exp := strings.Index("kmgtpe", p) + 1
		return 0, fmt.Errorf("is ambiguous: write %s%si (2^%d bytes) or %s%s (10^%d bytes)", num, up, 10*exp, num, dec, 3*exp)
	}
	return 0, fmt.Errorf("has an unknown memory unit %q: use Ki, Mi, Gi, Ti (powers of 2) or k, M, G, T (powers of 10); a bare number is bytes", u)
}

func iopsUnit(_, u string) (float64, error) {
	if l := strings.ToLower(u); strings.HasSuffix(l, "iops") {
		u = strings.TrimSpace(u[:len(u)-4])
	}
	switch u {
	case "":
		return 1, nil
	case "k", "K":
		return 1e3, nil
	case "M":
		return 1e6, nil
	}
	return 0, fmt.Errorf("has an unknown iops unit %q: write operations per second such as 5000, 5k or 1.5M", u)
}

func netUnit(num, u string) (float64, error) {
	if u == "" {
		if v, err := parseDecimal(num); err == nil && v == 0 {
			return 1, nil
		}
		return 0, fmt.Errorf("needs a unit: write bits per second such as %sGbps, %sMbps or %sbps", num, num, num)
	}
	prefix, rest := "", u
	if len(u) > 0 && strings.ContainsRune("kKmMgGtTpPeE", rune(u[0])) {
		prefix, rest = strings.ToLower(u[:1]), u[1:]
	}
	if strings.HasPrefix(rest, "i") {
		return 0, fmt.Errorf("uses a binary prefix: network bandwidth counts in powers of 10, write e.g. %s%sbps", num, strings.ToUpper(prefix))
	}
	switch rest {
	case "bps", "b/s", "bit/s", "bits/s", "bit", "bits", "Bit/s", "Bits/s":
		return decimalPrefix[prefix], nil
	case "Bps", "B/s", "byte/s", "bytes/s", "Byte/s", "Bytes/s":
		p := strings.ToUpper(prefix)
		if p == "K" {
			p = "k"
		}
		hint := ""
		if v, err := parseDecimal(num); err == nil {
			hint = fmt.Sprintf(" %s%sbps", strconv.FormatFloat(v*8, 'f', -1, 64), p)
		}
		return 0, fmt.Errorf("is bytes per second: net is bandwidth in bits per second, write%s", hint)
	}
	return 0, fmt.Errorf("has an unknown net unit %q: write bits per second such as 10Gbps, 500Mbps or 1Gbit/s", u)
}

// FormatQuantity writes an amount of dim for people: "0.5", "256 GiB",
// "20k", "10 Gbps". It is rounded (to 3 significant places or so) and not
// meant for files; ParseQuantity reads it back to about the same value.
func FormatQuantity(dim Dimension, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if s := dim.Spec(); s != nil {
		return s.format(v)
	}
	return formatVCPUs(v)
}

// The formats of FormatQuantity, one per dimension (DimensionSpec.format).

func formatVCPUs(v float64) string { return humanize.FtoaWithDigits(v, 3) }

func formatBytes(v float64) string {
	if v < 0 {
		return "-" + humanize.IBytes(uint64(-v))
	}
	return humanize.IBytes(uint64(math.Round(v)))
}

func formatIOPS(v float64) string {
	if math.Abs(v) < 1000 {
		return humanize.FtoaWithDigits(v, 1)
	}
	x, p := humanize.ComputeSI(v)
	return humanize.FtoaWithDigits(x, 1) + p
}

func formatBits(v float64) string {
	if math.Abs(v) < 1000 {
		return humanize.FtoaWithDigits(v, 1) + " bps"
	}
	x, p := humanize.ComputeSI(v)
	return humanize.FtoaWithDigits(x, 1) + " " + p + "bps"
}

// FormatQuantityExact writes an amount of dim in the shortest form that
// ParseQuantity reads back to exactly v: "256Gi", "20k", "10Gbps", "0.5",
// falling back to the base unit ("1073741825", "1234567bps"). WriteScenario
// uses it. v must be finite and non-negative.
func FormatQuantityExact(dim Dimension, v float64) string {
	if v == 0 {
		return "0"
	}
	spec := dim.Spec()
	if spec == nil {
		return formatNumber(v)
	}
	best := formatNumber(v) + spec.base
	for _, u := range spec.exact {
		s := formatNumber(v/u.mult) + u.suffix
		if len(s) >= len(best) {
			continue
		}
		if got, err := ParseQuantity(dim, s); err == nil && got == v {
			best = s
		}
	}
	return best
}

// formatNumber is the shortest decimal that parses back to x.
func formatNumber(x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if len(s) > 21 {
		s = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return s
}

// parseRatio reads a plain non-negative number such as an overcommit ratio
// or a safety factor; with percent, "90%" is read as 0.9.
func parseRatio(s string, percent bool) (float64, error) {
	in := s
	s = strings.TrimSpace(s)
	divisor := 1.0
	if percent && strings.HasSuffix(s, "%") {
		s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
		divisor = 100 // 90/100 is the same float as 0.9; 90*0.01 is not
	}
	num, rest, err := splitNumber(s)
	if err == nil && rest != "" {
		err = errors.New("not a number")
	}
	if err != nil {
		want := "a number such as 1.5"
		if percent {
			want = "a fraction such as 0.9 or a percentage such as 90%"
		}
		return 0, fmt.Errorf("%q: %v: write %s", in, err, want)
	}
	v, err := parseDecimal(num)
	if err != nil {
		return 0, fmt.Errorf("%q: %v", in, err)
	}
	return v / divisor, nil
}
