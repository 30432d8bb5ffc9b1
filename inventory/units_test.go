package inventory

import (
	"math"
	"strings"
	"testing"
)

const (
	qKi = 1 << 10
	qMi = 1 << 20
	qGi = 1 << 30
	qTi = 1 << 40
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		dim  Dimension
		in   string
		want float64
	}{
		// cpu: vCPUs, fractions, millicores.
		{CPU, "12", 12},
		{CPU, "0.5", 0.5},
		{CPU, ".5", 0.5},
		{CPU, "500m", 0.5},
		{CPU, "1e2", 100},
		{CPU, " 4 ", 4},
		{CPU, "0", 0},
		// memory: bytes, binary and decimal (Kubernetes convention).
		{Memory, "1073741824", qGi},
		{Memory, "16Gi", 16 * qGi},
		{Memory, "16GiB", 16 * qGi}, // unambiguous: the i says binary
		{Memory, "16gib", 16 * qGi},
		{Memory, "16 Gi", 16 * qGi},
		{Memory, "1.5Ti", 1.5 * qTi},
		{Memory, "512Mi", 512 * qMi},
		{Memory, "4Ki", 4 * qKi},
		{Memory, "16G", 16e9},
		{Memory, "16M", 16e6},
		{Memory, "16k", 16e3},
		{Memory, "16K", 16e3},
		{Memory, "1T", 1e12},
		{Memory, "1E", 1e18}, // E is exa, not an exponent
		{Memory, "2e3", 2000},
		{Memory, "100B", 100},
		{Memory, "256 GiB", 256 * qGi}, // FormatQuantity's own form
		// iops: plain, k, M, an optional "iops".
		{IOPS, "5000", 5000},
		{IOPS, "5k", 5000},
		{IOPS, "1.5K", 1500},
		{IOPS, "2M", 2e6},
		{IOPS, "5k iops", 5000},
		{IOPS, "5000 IOPS", 5000},
		// net: bits per second, always with a unit (0 needs none).
		{Net, "10Gbps", 10e9},
		{Net, "500Mbps", 500e6},
		{Net, "1Gbit/s", 1e9},
		{Net, "100 kb/s", 100e3},
		{Net, "2.5 Gbps", 2.5e9},
		{Net, "10gbps", 10e9},
		{Net, "64bps", 64},
		{Net, "0", 0},
	}
	for _, tt := range tests {
		got, err := ParseQuantity(tt.dim, tt.in)
		if err != nil {
			t.Errorf("ParseQuantity(%v, %q): %v", tt.dim, tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseQuantity(%v, %q) = %v, want %v", tt.dim, tt.in, got, tt.want)
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	tests := []struct {
		dim  Dimension
		in   string
		want string // the whole message
	}{
		{Memory, "16GB", `"16GB" is ambiguous: write 16Gi (2^30 bytes) or 16G (10^9 bytes)`},
		{Memory, "16 gb", `"16 gb" is ambiguous: write 16Gi (2^30 bytes) or 16G (10^9 bytes)`},
		{Memory, "16Gb", `"16Gb" is ambiguous: write 16Gi (2^30 bytes) or 16G (10^9 bytes)`},
		{Memory, "16g", `"16g" is ambiguous: write 16Gi (2^30 bytes) or 16G (10^9 bytes)`},
		// Kubernetes would read 512m as 0.512 bytes.
		{Memory, "512m", `"512m" is ambiguous: write 512Mi (2^20 bytes) or 512M (10^6 bytes)`},
		{Memory, "8kB", `"8kB" is ambiguous: write 8Ki (2^10 bytes) or 8k (10^3 bytes)`},
		{Memory, "2TB", `"2TB" is ambiguous: write 2Ti (2^40 bytes) or 2T (10^12 bytes)`},
		{Memory, "4 gigs", `"4 gigs" has an unknown memory unit "gigs": use Ki, Mi, Gi, Ti (powers of 2) or k, M, G, T (powers of 10); a bare number is bytes`},
		{Memory, "1.2.3", `"1.2.3": malformed number; write bytes such as 64Gi (2^30 bytes each) or 64G (10^9 bytes each)`},
		{Memory, "NaN", `"NaN": not a number; write bytes such as 64Gi (2^30 bytes each) or 64G (10^9 bytes each)`},
		{Memory, "-1Gi", `"-1Gi": negative amounts are not allowed; write bytes such as 64Gi (2^30 bytes each) or 64G (10^9 bytes each)`},
		{Memory, "1e300Ei", `"1e300Ei" is too large`},
		{Memory, "", `empty memory amount: write bytes such as 64Gi (2^30 bytes each) or 64G (10^9 bytes each)`},
		{Memory, "1,000", `"1,000": malformed number; write bytes such as 64Gi (2^30 bytes each) or 64G (10^9 bytes each)`},
		{CPU, "Inf", `"Inf": not a number; write vCPUs such as 4, 0.5 or 500m`},
		{CPU, ".inf", `".inf": not a number; write vCPUs such as 4, 0.5 or 500m`},
		{CPU, "1e400", `"1e400": number out of range`},
		{CPU, "4 cores", `"4 cores" has an unknown cpu unit "cores": write vCPUs such as 4 or millicores such as 4m`},
		{CPU, "0x10", `"0x10" has an unknown cpu unit "x10": write vCPUs such as 0 or millicores such as 0m`},
		{IOPS, "5 kilo", `"5 kilo" has an unknown iops unit "kilo": write operations per second such as 5000, 5k or 1.5M`},
		{Net, "1000", `"1000" needs a unit: write bits per second such as 1000Gbps, 1000Mbps or 1000bps`},
		{Net, "1GB/s", `"1GB/s" is bytes per second: net is bandwidth in bits per second, write 8Gbps`},
		{Net, "125MBps", `"125MBps" is bytes per second: net is bandwidth in bits per second, write 1000Mbps`},
		{Net, "1Gibps", `"1Gibps" uses a binary prefix: network bandwidth counts in powers of 10, write e.g. 1Gbps`},
		{Net, "10 furlongs", `"10 furlongs" has an unknown net unit "furlongs": write bits per second such as 10Gbps, 500Mbps or 1Gbit/s`},
	}
	for _, tt := range tests {
		got, err := ParseQuantity(tt.dim, tt.in)
		if err == nil {
			t.Errorf("ParseQuantity(%v, %q) = %v, want error %q", tt.dim, tt.in, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseQuantity(%v, %q) error\n got %s\nwant %s", tt.dim, tt.in, err, tt.want)
		}
	}
}

func TestFormatQuantity(t *testing.T) {
	tests := []struct {
		dim  Dimension
		in   float64
		want string
	}{
		{CPU, 12, "12"},
		{CPU, 0.5, "0.5"},
		{CPU, 8.24, "8.24"},
		{CPU, 1.0 / 3, "0.333"},
		{Memory, 256 * qGi, "256 GiB"},
		{Memory, 1.5 * qGi, "1.5 GiB"},
		{Memory, 512, "512 B"},
		{IOPS, 20000, "20k"},
		{IOPS, 1500, "1.5k"},
		{IOPS, 200, "200"},
		{Net, 10e9, "10 Gbps"},
		{Net, 500e6, "500 Mbps"},
		{Net, 0.5, "0.5 bps"},
	}
	for _, tt := range tests {
		if got := FormatQuantity(tt.dim, tt.in); got != tt.want {
			t.Errorf("FormatQuantity(%v, %v) = %q, want %q", tt.dim, tt.in, got, tt.want)
		}
	}
}

func TestFormatQuantityExact(t *testing.T) {
	tests := []struct {
		dim  Dimension
		in   float64
		want string
	}{
		{CPU, 0, "0"},
		{CPU, 0.5, "0.5"},
		{CPU, 64, "64"},
		{Memory, 256 * qGi, "256Gi"},
		{Memory, 1.5 * qTi, "1.5Ti"},
		{Memory, 64e9, "64G"},
		{Memory, qGi + 1, "1073741825"},
		{IOPS, 20000, "20k"},
		{IOPS, 1234, "1234"},
		{Net, 10e9, "10Gbps"},
		{Net, 1234567, "1234567bps"},
	}
	for _, tt := range tests {
		got := FormatQuantityExact(tt.dim, tt.in)
		if got != tt.want {
			t.Errorf("FormatQuantityExact(%v, %v) = %q, want %q", tt.dim, tt.in, got, tt.want)
		}
		if back, err := ParseQuantity(tt.dim, got); err != nil || back != tt.in {
			t.Errorf("ParseQuantity(%v, %q) = %v, %v; want %v", tt.dim, got, back, err, tt.in)
		}
	}
}

func TestParseRatio(t *testing.T) {
	for in, want := range map[string]float64{"0.9": 0.9, "90%": 0.9, "3%": 0.03, "1": 1, "100 %": 1} {
		got, err := parseRatio(in, true)
		if err != nil || got != want {
			t.Errorf("parseRatio(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "1.2.3", "NaN", "5x", "1e999"} {
		if _, err := parseRatio(in, true); err == nil {
			t.Errorf("parseRatio(%q): no error", in)
		}
	}
	if _, err := parseRatio("90%", false); err == nil {
		t.Error("parseRatio(90%, percent=false): no error")
	}
}

// FuzzParseQuantity: parsing never panics, accepts only finite
// non-negative amounts, and whatever it accepts survives
// FormatQuantityExact exactly (and FormatQuantity without panicking).
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"12", "500m", "16Gi", "16GB", "1.5Ti", "5k", "10Gbps", "1Gbit/s", "1e400", "NaN", "-1", "1.2.3", "1E", "2e3Mi", "0", ".5", "1GB/s"} {
		for d := range NumDims {
			f.Add(uint8(d), s)
		}
	}
	f.Fuzz(func(t *testing.T, dim uint8, s string) {
		d := Dimension(dim % uint8(NumDims))
		v, err := ParseQuantity(d, s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseQuantity(%v, %q) = %v", d, s, v)
		}
		exact := FormatQuantityExact(d, v)
		back, err := ParseQuantity(d, exact)
		if err != nil || back != v {
			t.Fatalf("%v %q → %v → %q → %v, %v", d, s, v, exact, back, err)
		}
		if h := FormatQuantity(d, v); strings.TrimSpace(h) == "" {
			t.Fatalf("FormatQuantity(%v, %v) is empty", d, v)
		}
	})
}
