package promtest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// Series are the series a synthetic guest has, named as Debian 12's
// prometheus-libvirt-exporter 0.2.0 names them.
type Series int

const (
	CPUSeconds    Series = iota // counter: CPU time, seconds
	MemoryBytes                 // gauge: the balloon's size, bytes
	ReadRequests                // counter: block read requests
	WriteRequests               // counter: block write requests
	ReceiveBytes                // counter: interface bytes received
	TransmitBytes               // counter: interface bytes sent
	NumSeries
)

var seriesNames = [NumSeries]string{
	"libvirt_domain_info_cpu_time_seconds_total",
	"libvirt_domain_info_memory_usage_bytes",
	"libvirt_domain_block_stats_read_requests_total",
	"libvirt_domain_block_stats_write_requests_total",
	"libvirt_domain_interface_stats_receive_bytes_total",
	"libvirt_domain_interface_stats_transmit_bytes_total",
}

// Name is the metric name.
func (s Series) Name() string { return seriesNames[s] }

// Counter reports whether the series is a counter (else a gauge).
func (s Series) Counter() bool { return s != MemoryBytes }

// History is a synthetic load history: Guests guests with the Debian
// exporter's series, one sample every Scrape from End−Span to End. Each
// series' load is constant over each Bucket (the bucket ending at t
// covers (t−Bucket, t]), so what a rate over one bucket gives is known
// exactly: Load. Counters grow by whole multiples of 1/64 per sample, so
// every value is exact in float64 and short in text. Deterministic in
// Seed.
type History struct {
	Guests int
	// End is the last sample's time; it and End−Span must be multiples
	// of Bucket, and Bucket a multiple of Scrape.
	End    time.Time
	Span   time.Duration
	Scrape time.Duration
	Bucket time.Duration
	Seed   uint64
	// Skip leaves guests out of the data (their series do not exist):
	// a guest Prometheus has never seen.
	Skip map[int]bool
	// Recorded names series to write as recording rules would record
	// them, one per guest at every Bucket boundary, per dimension (cpu
	// cores, memory bytes, iops, net bytes/s): the exact loads. "" = none.
	Recorded [4]string
	// RecordedOnly leaves the exporter's series out: only Recorded.
	RecordedOnly bool
	// Compacted has Backfill compact the blocks as Prometheus would.
	Compacted bool
}

// Guest is a synthetic guest: its name, UUID and kind of load.
type Guest struct {
	Name, UUID string
	Kind       string // web (cpu), db (iops), cache (memory, net), idle
}

var kinds = [...]string{"web", "db", "cache", "idle"}

// Guest returns guest i (0-based).
func (h History) Guest(i int) Guest {
	return Guest{
		Name: fmt.Sprintf("synth-%04d", i),
		UUID: fmt.Sprintf("5e5e0000-0000-4000-8000-%012d", i),
		Kind: kinds[i%len(kinds)],
	}
}

// Load is guest i's load in series s over the bucket ending at t: the rate
// per second of a counter (cores for CPUSeconds), the value of a gauge.
func (h History) Load(i int, s Series, t time.Time) float64 {
	k := t.Unix() / int64(h.Bucket/time.Second)
	// A day's swing, shifted per guest, times noise in [0.5, 1.5).
	day := float64(t.Unix()%86400) / 86400
	swing := 0.6 + 0.4*math.Sin(2*math.Pi*(day+float64(i%24)/24))
	noise := 0.5 + unit(h.Seed, uint64(i), uint64(s), uint64(k))
	f := swing * noise
	var base float64
	switch kind, s := h.Guest(i).Kind, s; {
	case s == MemoryBytes:
		gib := map[string]float64{"web": 6, "db": 12, "cache": 28, "idle": 1}[kind]
		// Memory moves little: ±1/16 of its size, in whole MiB.
		return math.Round((gib+gib/8*(noise-1))*1024) * (1 << 20)
	case kind == "web":
		base = [NumSeries]float64{CPUSeconds: 3, ReadRequests: 40, WriteRequests: 20, ReceiveBytes: 4e6, TransmitBytes: 8e6}[s]
	case kind == "db":
		base = [NumSeries]float64{CPUSeconds: 1, ReadRequests: 1500, WriteRequests: 700, ReceiveBytes: 1e6, TransmitBytes: 2e6}[s]
	case kind == "cache":
		base = [NumSeries]float64{CPUSeconds: 0.5, ReadRequests: 5, WriteRequests: 5, ReceiveBytes: 30e6, TransmitBytes: 60e6}[s]
	default:
		base = [NumSeries]float64{CPUSeconds: 0.02, ReadRequests: 0.5, WriteRequests: 0.5, ReceiveBytes: 200, TransmitBytes: 200}[s]
	}
	// A whole number of 1/64ths per scrape interval.
	per := h.Scrape.Seconds()
	return math.Round(base*f*per*64) / 64 / per
}

// unit is a hash of its arguments mapped to [0, 1) (SplitMix64).
func unit(xs ...uint64) float64 {
	var z uint64 = 0x9e3779b97f4a7c15
	for _, x := range xs {
		z ^= x + 0x9e3779b97f4a7c15 + (z << 6) + (z >> 2)
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
	}
	return float64(z>>11) / (1 << 53)
}

// check reports a History whose times do not line up.
func (h History) check() error {
	switch {
	case h.Scrape <= 0 || h.Bucket <= 0 || h.Span <= 0 || h.Guests <= 0:
		return fmt.Errorf("synthetic history: guests, span, scrape and bucket must be positive")
	case h.Bucket%h.Scrape != 0 || h.Scrape%time.Second != 0:
		return fmt.Errorf("synthetic history: bucket %s is not a multiple of scrape %s (whole seconds)", h.Bucket, h.Scrape)
	case h.End.UnixNano()%int64(h.Bucket) != 0 || h.Span%h.Bucket != 0:
		return fmt.Errorf("synthetic history: end %s and span %s must be multiples of bucket %s", h.End, h.Span, h.Bucket)
	}
	return nil
}

// writeOpenMetrics writes the samples with from ≤ time < to in OpenMetrics
// text, time by time, ending with "# EOF". cum holds every counter's value
// at from and is advanced to to.
func (h History) writeOpenMetrics(w io.Writer, from, to time.Time, cum [][NumSeries]float64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	labels := make([]string, h.Guests)
	for i := range labels {
		g := h.Guest(i)
		labels[i] = fmt.Sprintf(`{domain="%s",uuid="%s"} `, g.Name, g.UUID)
	}
	start := h.End.Add(-h.Span)
	var buf []byte
	for t := from; t.Before(to); t = t.Add(h.Scrape) {
		// The bucket this sample's increment (since the previous sample)
		// belongs to ends at the first bucket boundary ≥ t.
		end := t.Truncate(h.Bucket)
		if !end.Equal(t) {
			end = end.Add(h.Bucket)
		}
		ts := strconv.FormatInt(t.Unix(), 10)
		for i := 0; i < h.Guests; i++ {
			if h.Skip[i] {
				continue
			}
			for s := range NumSeries {
				if h.RecordedOnly {
					break
				}
				v := h.Load(i, s, end)
				if s.Counter() {
					if t.After(start) {
						cum[i][s] += v * h.Scrape.Seconds()
					}
					v = cum[i][s]
				}
				buf = append(buf[:0], s.Name()...)
				buf = append(buf, labels[i]...)
				buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
				buf = append(buf, ' ')
				buf = append(buf, ts...)
				buf = append(buf, '\n')
				if _, err := bw.Write(buf); err != nil {
					return err
				}
			}
			if t.Equal(end) {
				if err := h.writeRecorded(bw, i, t, labels[i], ts); err != nil {
					return err
				}
			}
		}
	}
	if _, err := bw.WriteString("# EOF\n"); err != nil {
		return err
	}
	return bw.Flush()
}

// writeRecorded writes guest i's recorded series at t, a bucket boundary.
func (h History) writeRecorded(w *bufio.Writer, i int, t time.Time, labels, ts string) error {
	vals := [4]float64{
		h.Load(i, CPUSeconds, t),
		h.Load(i, MemoryBytes, t),
		h.Load(i, ReadRequests, t) + h.Load(i, WriteRequests, t),
		h.Load(i, ReceiveBytes, t) + h.Load(i, TransmitBytes, t),
	}
	for d, name := range h.Recorded {
		if name == "" {
			continue
		}
		line := name + labels + strconv.FormatFloat(vals[d], 'g', -1, 64) + " " + ts + "\n"
		if _, err := w.WriteString(line); err != nil {
			return err
		}
	}
	return nil
}

// counterBase is every counter's value at the first sample: large enough
// that rate()'s extrapolation is never clamped at zero.
func (h History) counterBase() [][NumSeries]float64 {
	cum := make([][NumSeries]float64, h.Guests)
	for i := range cum {
		for s := range NumSeries {
			if s.Counter() {
				cum[i][s] = 1 << 20
			}
		}
	}
	return cum
}
