package promtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// LibvirtExporter is a running prometheus-libvirt-exporter.
type LibvirtExporter struct {
	// Addr is its host:port, for Options.Targets.
	Addr string
	// Took is how long the slowest of three scrapes took after it
	// started: the exporter asks libvirtd about every domain one call at
	// a time, so a busy daemon makes scrapes slow, and a scrape interval
	// shorter than this loses samples.
	Took time.Duration
}

// Exporter starts Debian's prometheus-libvirt-exporter against the libvirt
// at uri on a free loopback port and waits until /metrics answers. It is
// stopped when the test ends.
func Exporter(t testing.TB, uri string) *LibvirtExporter {
	t.Helper()
	bin := Need(t, "prometheus-libvirt-exporter", "prometheus-libvirt-exporter")
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "exporter.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--web.listen-address="+addr, "--libvirt.uri="+uri)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { stopProcess(cmd, exited) })
	e := &LibvirtExporter{Addr: addr}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 3; {
		start := time.Now()
		err := scrape(ctx, "http://"+addr+"/metrics")
		if err == nil {
			e.Took = max(e.Took, time.Since(start))
			i++
			continue
		}
		if ctx.Err() != nil {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("prometheus-libvirt-exporter does not answer: %v; its log:\n%s", err, tail(string(log), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return e
}

func scrape(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return nil
}
