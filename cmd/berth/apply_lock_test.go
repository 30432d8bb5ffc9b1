package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestApplyHostLockCLI: an apply waiting at its question holds the host;
// a second apply of a copy of the plan, with its own journal, is refused
// and told who holds it (it once went ahead, and lost the race with "berth
// did not create it").
func TestApplyHostLockCLI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
	host := `<node><cpu><mhz>2400</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>2</threads></cpu><memory>16777216</memory></node>`
	files := map[string]string{
		"kvm.xml": host,
		"berth.yaml": "hosts:\n  - {name: kvm-l1, uri: \"test://" + filepath.Join(dir, "kvm.xml") + "\", iops: 20k, net: 10Gbps}\n" +
			"templates:\n  default: {domainType: test, pool: none, network: none}\nlock-dir: " + filepath.Join(dir, "locks") + "\n",
		"demand.yaml": "apiVersion: berth/v1\nprofiles:\n  - {name: tiny, request: {cpu: 1, memory: 64Mi, iops: 10, net: 1Mbps}}\ndemand:\n  - {name: web, profile: tiny, count: 1}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errs bytes.Buffer
	if code := run([]string{"plan", "-d", "demand.yaml", "--out", "plan.json"}, nil, &out, &errs); code != exitOK {
		t.Fatalf("plan: %d\n%s", code, errs.String())
	}
	data, _ := os.ReadFile("plan.json")
	os.WriteFile("copy.json", data, 0o644)

	answer, reply := io.Pipe()
	var first lockedBuffer
	var firstCode int
	var wg sync.WaitGroup
	wg.Go(func() { firstCode = run([]string{"apply", "plan.json"}, answer, &first, &first) })
	// The first apply holds the host once it asks.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(first.String(), "Only 'yes' will be accepted") {
		if time.Now().After(deadline) {
			t.Fatalf("the first apply never asked:\n%s", first.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	out.Reset()
	errs.Reset()
	code := run([]string{"apply", "copy.json", "--yes"}, nil, &out, &errs)
	if code != exitError || !strings.Contains(errs.String(), "host kvm-l1 is being changed by another berth apply: pid ") ||
		!strings.Contains(errs.String(), "(journal plan.json.journal), since ") {
		t.Errorf("the second apply: exit %d\n%s", code, errs.String())
	}
	if _, err := os.Stat("copy.json.journal"); err == nil {
		t.Error("the refused apply left a journal")
	}
	reply.Write([]byte("no\n"))
	wg.Wait()
	if firstCode != exitError {
		t.Errorf("the first apply, cancelled: exit %d", firstCode)
	}
	// Free now.
	errs.Reset()
	if code := run([]string{"apply", "copy.json", "--yes"}, nil, &out, &errs); code != exitOK {
		t.Errorf("once the host is free: exit %d\n%s", code, errs.String())
	}
}

// lockedBuffer is a buffer one goroutine writes while another reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
