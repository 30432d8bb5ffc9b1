// Package promtest starts what berth's load-history tests need from a real
// Prometheus: the Debian prometheus server on a random loopback port with
// a data directory of its own, the Debian prometheus-libvirt-exporter
// against the local libvirtd, synthetic history loaded with promtool,
// tiny TCG guests that keep a CPU, a disk or a NIC busy, and a proxy that
// stalls or fails.
// It is for tests only.
//
// A test that needs a package that is not installed fails naming it; it is
// skipped only under -short.
package promtest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options say how to start a Prometheus.
type Options struct {
	// Targets are host:port addresses scraped as job "libvirt" (none:
	// Prometheus only serves the data it has).
	Targets []string
	// ScrapeInterval between scrapes (0 = 1s).
	ScrapeInterval time.Duration
	// Blocks are directories of TSDB blocks (from Backfill, or promtool's
	// output) copied into the data directory before start.
	Blocks []string
	// Flags are more command-line flags (--query.max-samples=1000).
	Flags []string
}

// Server is a running Prometheus, stopped when the test ends.
type Server struct {
	// URL is its base URL (http://127.0.0.1:PORT).
	URL string
	// Dir holds its config, data and log.
	Dir string

	cmd      *exec.Cmd
	exited   chan struct{}
	stopOnce sync.Once
}

// Need fails the test when a program is missing, naming the Debian package
// that has it; under -short it skips.
func Need(t testing.TB, program, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("needs %s (Debian package %s); not run with -short", program, pkg)
	}
	path, err := exec.LookPath(program)
	if err != nil {
		t.Fatalf("%s is not installed: apt-get install %s", program, pkg)
	}
	return path
}

// Start starts Prometheus on a free loopback port with its own temporary
// data directory and waits until it is ready.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	bin := Need(t, "prometheus", "prometheus")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range opt.Blocks {
		if err := copyBlocks(dir, data); err != nil {
			t.Fatalf("copy blocks from %s: %v", dir, err)
		}
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config(opt)), 0o644); err != nil {
		t.Fatal(err)
	}
	var s *Server
	var err error
	// A free port can be taken by someone else before Prometheus binds
	// it: try a few.
	flags := append([]string{
		// Retention counts from the newest data: synthetic history lies
		// in the past and must not be deleted for being old.
		"--storage.tsdb.retention.time=100y",
		// No compaction of loaded blocks while a benchmark runs.
		"--storage.tsdb.min-block-duration=2h",
		"--storage.tsdb.max-block-duration=2h",
	}, opt.Flags...)
	for range 3 {
		if s, err = launch(bin, dir, cfg, data, flags); err == nil || !errors.Is(err, errPortTaken) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

var errPortTaken = errors.New("port taken")

func launch(bin, dir, cfg, data string, flags []string) (*Server, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "prometheus.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := []string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + data,
		"--web.listen-address=" + addr,
		"--log.level=warn",
	}
	cmd := exec.Command(bin, append(args, flags...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start prometheus: %v", err)
	}
	s := &Server{URL: "http://" + addr, Dir: dir, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(90 * time.Second); err != nil {
		s.Stop()
		log, _ := os.ReadFile(logPath)
		if strings.Contains(string(log), "address already in use") {
			return nil, errPortTaken
		}
		return nil, fmt.Errorf("prometheus on %s: %v; its log:\n%s", addr, err, tail(string(log), 20))
	}
	return s, nil
}

// waitReady polls /-/ready until Prometheus answers 200, exits, or the
// deadline passes (loading many blocks on a busy machine takes seconds).
func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("exited before it was ready")
		default:
		}
		resp, err := client.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", limit)
}

// Stop stops Prometheus (SIGTERM, SIGKILL after 10 s) and waits for it.
// The test's cleanup calls it; calling it earlier simulates Prometheus
// going away.
func (s *Server) Stop() {
	s.stopOnce.Do(func() { stopProcess(s.cmd, s.exited) })
}

// dieWithParent has a child killed when the test process dies without
// running its cleanups (killed, or its output pipe closed), so that no
// Prometheus or exporter outlives the test that started it.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

func stopProcess(cmd *exec.Cmd, exited chan struct{}) {
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

func config(opt Options) string {
	interval := opt.ScrapeInterval
	if interval <= 0 {
		interval = time.Second
	}
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  evaluation_interval: 1m\n", interval)
	if len(opt.Targets) > 0 {
		fmt.Fprintf(&b, "scrape_configs:\n  - job_name: libvirt\n    scrape_timeout: %s\n    static_configs:\n      - targets: [%s]\n",
			interval, strings.Join(quoteAll(opt.Targets), ", "))
	}
	return b.String()
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// FreeAddr returns a loopback address with a port that was free a moment
// ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// CPUTime is the CPU time (user + system) the Prometheus process has used
// so far, from /proc/PID/stat: a measure of a query's work that a busy
// machine inflates less than wall time does. 0 where /proc cannot say.
func (s *Server) CPUTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: state is field 3,
	// utime 14 and stime 15, in clock ticks (USER_HZ, 100 on Linux).
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
