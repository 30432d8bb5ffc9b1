package promtest

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// blockRange is promtool's block length: it makes 2-hour blocks, reading
// its input once per block, so the history is written one 2-hour file at
// a time and each is read once.
const blockRange = 2 * time.Hour

// generatorVersion changes whenever History's output does, so that cached
// blocks of an older generator are not reused.
const generatorVersion = 1

// Backfill turns h into TSDB blocks with promtool (Debian package
// prometheus) and returns their directory, for Options.Blocks. The blocks
// are kept under the user's cache directory (berth-promtest/KEY, KEY a
// hash of h): a week of 1,000 guests takes many minutes to make and
// seconds to copy. Nothing else is written there.
//
// promtool writes one block per 2 hours. With h.Compacted, a Prometheus
// with its default settings then compacts them as a long-running one
// would (a week into a few blocks of 18 h), which is what a benchmark
// should read: 85 small blocks cost every query a lookup in each.
func Backfill(t testing.TB, h History) string {
	t.Helper()
	promtool := Need(t, "promtool", "prometheus")
	if err := h.check(); err != nil {
		t.Fatal(err)
	}
	raw := h
	raw.Compacted = false
	blocks := cached(t, raw.key(), fmt.Sprintf("synthetic history of %d guests over %s", h.Guests, h.Span), func(tmp string) error {
		return raw.backfill(promtool, tmp)
	})
	if !h.Compacted {
		return blocks
	}
	prometheus := Need(t, "prometheus", "prometheus")
	return cached(t, raw.key()+"-compacted", "compacted", func(tmp string) error {
		if err := copyBlocks(blocks, filepath.Join(tmp, "blocks")); err != nil {
			return err
		}
		return compact(prometheus, tmp)
	})
}

// cached returns KEY/blocks under the cache directory, made by build
// (into a temporary directory renamed when complete) when missing.
func cached(t testing.TB, key, what string, build func(tmp string) error) string {
	t.Helper()
	root, err := os.UserCacheDir()
	if err != nil {
		root = os.TempDir()
	}
	dir := filepath.Join(root, "berth-promtest", key)
	blocks := filepath.Join(dir, "blocks")
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return blocks
	}
	start := time.Now()
	tmp := fmt.Sprintf("%s.tmp-%d", dir, os.Getpid())
	os.RemoveAll(tmp)
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := build(tmp); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s made in %s (cached in %s)", what, time.Since(start).Round(time.Second), dir)
	return blocks
}

func (h History) key() string {
	spec := fmt.Appendf(nil, "v%d %d %d %d %d %d %d %v",
		generatorVersion, h.Guests, h.End.Unix(), h.Span, h.Scrape, h.Bucket, h.Seed, sortedSkip(h.Skip))
	if h.Recorded != [4]string{} {
		spec = fmt.Appendf(spec, " %q %v", h.Recorded, h.RecordedOnly)
	}
	sum := sha256.Sum256(spec)
	return fmt.Sprintf("%x", sum[:8])
}

func sortedSkip(m map[int]bool) []int {
	var out []int
	for i, skip := range m {
		if skip {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// backfill writes one OpenMetrics file per 2-hour block range and has
// promtool turn each into a block under dir.
func (h History) backfill(promtool, dir string) error {
	blocks := filepath.Join(dir, "blocks")
	if err := os.MkdirAll(blocks, 0o755); err != nil {
		return err
	}
	cum := h.counterBase()
	first := h.End.Add(-h.Span)
	for from := first.Truncate(blockRange); !from.After(h.End); from = from.Add(blockRange) {
		lo, hi := from, from.Add(blockRange)
		if lo.Before(first) {
			lo = first
		}
		if hi.After(h.End) {
			hi = h.End.Add(h.Scrape) // the sample at End is the last
		}
		file := filepath.Join(dir, "chunk.om")
		if err := h.writeFile(file, lo, hi, cum); err != nil {
			return err
		}
		out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", file, blocks).CombinedOutput()
		if err != nil {
			return fmt.Errorf("promtool tsdb create-blocks-from openmetrics (%s…%s): %v: %s",
				lo.UTC().Format(time.RFC3339), hi.UTC().Format(time.RFC3339), err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

func (h History) writeFile(path string, from, to time.Time, cum [][NumSeries]float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := h.writeOpenMetrics(f, from, to, cum); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// copyBlocks links (else copies) every block in root into data. Blocks
// are never written in place, so links are safe.
func copyBlocks(root, data string) error {
	return filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		dst := filepath.Join(data, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if os.Link(path, dst) == nil {
			return nil
		}
		return copyFile(path, dst)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BackfillRules evaluates the recording rules in rules (a rules file's
// text) over [start, end] against the Prometheus at url with promtool
// tsdb create-blocks-from rules, as an operator fills in new rules for
// the past, and returns the directory of the blocks made, for
// Options.Blocks.
func BackfillRules(t testing.TB, url, rules string, start, end time.Time) string {
	t.Helper()
	promtool := Need(t, "promtool", "prometheus")
	dir := t.TempDir()
	file := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(file, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "blocks")
	cmd := exec.Command(promtool, "tsdb", "create-blocks-from", "rules", "-q",
		"--url="+url, "--output-dir="+out,
		"--start="+strconv.FormatInt(start.Unix(), 10), "--end="+strconv.FormatInt(end.Unix(), 10), file)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from rules: %v: %s", err, strings.TrimSpace(string(msg)))
	}
	return out
}

// BackfillText turns an OpenMetrics text (samples with timestamps, ending
// in "# EOF") into TSDB blocks with promtool and returns their directory,
// for Options.Blocks: small histories a test writes itself (node metrics,
// say). Not cached.
func BackfillText(t testing.TB, text string) string {
	t.Helper()
	promtool := Need(t, "promtool", "prometheus")
	dir := t.TempDir()
	file := filepath.Join(dir, "history.om")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks := filepath.Join(dir, "blocks")
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", file, blocks).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return blocks
}
