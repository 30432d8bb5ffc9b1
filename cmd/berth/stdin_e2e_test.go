package main

import "testing"

// TestExploreScenarioFromStdin: `berth scenarios show tight | berth explore
// -f -` opens the explorer on the piped scenario and takes its keys from the
// terminal (/dev/tty), since standard input held the scenario.
func TestExploreScenarioFromStdin(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds berth and runs it under tmux")
	}
	bin := berthBinary(t)
	dir := t.TempDir()
	env := []string{"TERM=xterm-256color", "NO_COLOR=1", "XDG_CONFIG_HOME=" + dir, "HOME=" + dir}
	pipeline := shellQuote(bin) + " scenarios show tight | " + shellQuote(bin) + " explore -f -"
	p := startBerth(t, "sh", dir, env, "-c", pipeline)
	p.waitFor("fleet view of the piped scenario", "berth explore · tight")
	p.keys("q")
	p.waitFor("q read from the terminal ends explore", "EXIT=0")
}
