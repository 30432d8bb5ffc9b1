package promtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Exporter starts Debian's prometheus-libvirt-exporter against the libvirt
// at uri on a free loopback port, waits until /metrics answers, and
// returns its host:port for Options.Targets. It is stopped when the test
// ends.
func Exporter(t testing.TB, uri string) string {
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
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { stopProcess(cmd, exited) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := Ready(ctx, "http://"+addr+"/metrics"); err != nil {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("prometheus-libvirt-exporter does not answer: %v; its log:\n%s", err, tail(string(log), 20))
	}
	return addr
}
