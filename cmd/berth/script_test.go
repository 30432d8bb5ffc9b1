package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this test binary as the `berth` command, so
// the scripts under testdata/script drive berth exactly as a user's shell
// would: arguments, stdin, stdout, stderr and exit codes.
//
// When this binary runs as the test runner (not as a script's `berth`), the
// caller's BERTH_*, colour and LIBVIRT_DEFAULT_URI variables are dropped
// first: the in-process tests assert on defaults, and a CI runner that
// exports BERTH_STRATEGY, NO_COLOR or LIBVIRT_DEFAULT_URI must not change
// what they see. Scripts set their own.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) != "berth" {
		scrubCallerEnv()
	}
	testscript.Main(removingBuilt{m}, map[string]func(){
		"berth": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// removingBuilt runs the tests, then removes the berth binary the
// end-to-end tests built (berthBinary), which outlives any one test.
type removingBuilt struct{ m *testing.M }

func (r removingBuilt) Run() int {
	code := r.m.Run()
	if built.path != "" {
		os.RemoveAll(filepath.Dir(built.path))
	}
	return code
}

func scrubCallerEnv() {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "BERTH_") || name == "NO_COLOR" || name == "CLICOLOR" || name == "CLICOLOR_FORCE" || name == "LIBVIRT_DEFAULT_URI" {
			os.Unsetenv(name)
		}
	}
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// No user config may leak into the scripts.
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/.config")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
