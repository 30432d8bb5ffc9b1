package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/berth-dev/berth/scenarios"
	"github.com/berth-dev/berth/tui"
)

// exploreOptionsFor parses args as `berth explore` would and returns what
// explore would open, without starting the terminal program.
func exploreOptionsFor(t *testing.T, args ...string) (tui.Options, error) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, v: viper.New()}
	var f exploreFlags
	cmd := &cobra.Command{Use: "explore"}
	f.register(cmd)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	if err := a.loadConfig(cmd); err != nil {
		t.Fatal(err)
	}
	return exploreOptions(a, cmd, &f)
}

// savedPlan writes the tight scenario's plan with a pin and an exclusion,
// as `berth plan --scenario tight --pin … --exclude … --out` does.
func savedPlan(t *testing.T) (string, *planner.Plan) {
	t.Helper()
	data, err := scenarios.Get("tight")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := inventory.ParseScenario("embedded:tight", data)
	if err != nil {
		t.Fatal(err)
	}
	pl := planner.New(sc)
	pl.Pin("db-new-1", "t6")
	pl.Exclude("t1", true)
	p, err := pl.Plan()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	return path, p
}

func TestExploreOptions(t *testing.T) {
	t.Run("scenario", func(t *testing.T) {
		opt, err := exploreOptionsFor(t, "--scenario", "tight", "--failover-hosts", "1")
		if err != nil {
			t.Fatal(err)
		}
		if opt.Planner == nil || opt.Plan != nil {
			t.Fatal("a scenario should open a planner, the first plan made in the explorer")
		}
		if opt.Planner.Scenario().Name != "tight" || opt.Planner.Policy().FailoverHosts != 1 {
			t.Error("scenario or policy flags not applied")
		}
	})
	t.Run("plan alone is read-only", func(t *testing.T) {
		path, saved := savedPlan(t)
		opt, err := exploreOptionsFor(t, "--plan", path)
		if err != nil {
			t.Fatal(err)
		}
		if opt.Planner != nil || opt.Plan == nil || opt.Plan.ID != saved.ID {
			t.Fatal("--plan alone should open the saved plan read-only")
		}
		if !strings.Contains(opt.Notice, "read-only") || opt.SavePath != path {
			t.Errorf("notice %q, save path %q", opt.Notice, opt.SavePath)
		}
	})
	t.Run("plan with its scenario is editable", func(t *testing.T) {
		path, saved := savedPlan(t)
		opt, err := exploreOptionsFor(t, "--plan", path, "--scenario", "tight")
		if err != nil {
			t.Fatal(err)
		}
		if opt.Planner == nil || opt.ExpectID != saved.ID {
			t.Fatal("--plan with --scenario should rebuild the planner and expect the saved ID")
		}
		p, err := opt.Planner.Plan()
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != saved.ID {
			t.Errorf("the rebuilt planner gives plan %s, saved %s: policy or edits not restored", p.ID, saved.ID)
		}
	})
	t.Run("plan with another scenario is refused", func(t *testing.T) {
		path, _ := savedPlan(t) // made from tight
		_, err := exploreOptionsFor(t, "--plan", path, "--scenario", "default")
		if err == nil {
			t.Fatal("a plan of tight opened with the default scenario should be refused, not re-planned")
		}
		for _, want := range []string{`"tight"`, `"default"`, "--scenario tight", path} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
	})
	t.Run("plan with its changed scenario", func(t *testing.T) {
		path, saved := savedPlan(t)
		data, err := scenarios.Get("tight")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := inventory.ParseScenario("embedded:tight", data)
		if err != nil {
			t.Fatal(err)
		}
		extra := sc.Hosts[0] // the fleet grew by an empty host; same name
		extra.Name, extra.Guests = "t-new", nil
		sc.Hosts = append(sc.Hosts, extra)
		file := filepath.Join(t.TempDir(), "tight.yaml")
		var buf bytes.Buffer
		if err := inventory.WriteScenario(&buf, sc); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		opt, err := exploreOptionsFor(t, "--plan", path, "-f", file)
		if err != nil {
			t.Fatal(err)
		}
		if opt.Planner == nil || opt.ExpectID != saved.ID || opt.SavePath != path {
			t.Fatalf("a changed scenario of the same name should open editable, expecting %s", saved.ID)
		}
		if p, err := opt.Planner.Plan(); err != nil || p.ID == saved.ID {
			t.Fatalf("the changed scenario should give another plan (err %v)", err)
		}
	})
	t.Run("policy flags with a plan", func(t *testing.T) {
		path, _ := savedPlan(t)
		if _, err := exploreOptionsFor(t, "--plan", path, "--seed", "7"); err == nil || !strings.Contains(err.Error(), "--seed cannot be combined with --plan") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("damaged plan", func(t *testing.T) {
		if _, err := exploreOptionsFor(t, "--plan", filepath.Join(t.TempDir(), "none.json")); err == nil {
			t.Error("a missing plan file should be an error")
		}
	})
}
