package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/inventory/live"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// berth inventory --write-roles: the appetite the load history shows
// becomes the guest's role in berth's libvirt metadata, so that it is the
// same on every later read (metadata comes before inference). A dry run
// unless --yes; every write is journaled.

// defaultRolesJournal is where --write-roles journals without --journal.
const defaultRolesJournal = "berth-roles.journal"

// roleWriteTimeout bounds one guest's write (connection included).
const roleWriteTimeout = 30 * time.Second

func registerWriteRolesFlags(f *pflag.FlagSet) {
	f.Bool("write-roles", false, "with --usage: record each guest's appetite from history as its role in berth's libvirt metadata (a dry run without --yes)")
	f.BoolP("yes", "y", false, "with --write-roles: write (the flag or BERTH_YES only, never the config file)")
	f.String("journal", "", "with --write-roles: the journal of the writes (default "+defaultRolesJournal+")")
}

type rolesSetup struct {
	yes     bool
	journal string
}

// writeRolesSettings checks --write-roles, --yes and --journal before
// any host is read; nil without --write-roles.
func (a *app) writeRolesSettings(cmd *cobra.Command, usage *usageSetup) (*rolesSetup, error) {
	write, err := a.boolean(cmd, "write-roles")
	if err != nil {
		return nil, err
	}
	yes, err := a.boolean(cmd, "yes")
	if err != nil {
		return nil, err
	}
	journal := a.v.GetString("journal")
	if !write {
		if yes || journal != "" {
			return nil, errors.New("--yes and --journal go with --write-roles (inventory itself changes nothing)")
		}
		return nil, nil
	}
	if usage == nil {
		return nil, errors.New("--write-roles records the appetite the load history shows: give --usage prometheus=URL (or usage: in the config)")
	}
	if journal == "" {
		journal = defaultRolesJournal
	}
	return &rolesSetup{yes: yes, journal: journal}, nil
}

// roleChange is one guest whose role would be written.
type roleChange struct {
	host   *inventory.Host
	guest  *inventory.Guest
	hist   *guestHistory
	status string // "write", or why not
}

// roleRecord is one line of the roles journal.
type roleRecord struct {
	Time    time.Time `json:"time"`
	Event   string    `json:"event"` // started, finished, failed
	Host    string    `json:"host"`
	Guest   string    `json:"guest"`
	UUID    string    `json:"uuid,omitempty"`
	Profile string    `json:"profile"`
	Was     string    `json:"was,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Error   string    `json:"error,omitempty"`
}

// writeRoles lists the roles the history gives and, with --yes, writes
// them: only guests whose role is not already in berth's metadata (or
// a name pattern) and whose appetite is classified.
func (a *app) writeRoles(ctx context.Context, set *rolesSetup, fleet *live.Fleet, res *usageResult) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var changes []roleChange
	for hi := range fleet.Hosts {
		h := &fleet.Hosts[hi]
		for gi := range h.Guests {
			g := &h.Guests[gi]
			gh := res.guest(h.Name, g.Name)
			c := roleChange{host: h, guest: g, hist: gh}
			switch {
			case gh == nil || gh.Appetite.Verdict == "":
				c.status = "no history"
			case gh.Profile == "":
				c.status = "no role: " + gh.Appetite.String()
			case g.RoleSource == inventory.RoleMetadata && g.Profile == gh.Profile:
				c.status = "already " + g.Profile
			case g.RoleSource == inventory.RoleMetadata:
				c.status = fmt.Sprintf("kept %s (berth's metadata; history says %s)", g.Profile, gh.Profile)
			case g.RoleSource == inventory.RolePattern:
				c.status = fmt.Sprintf("kept %s (name pattern; history says %s)", g.Profile, gh.Profile)
			default:
				c.status = "write"
			}
			changes = append(changes, c)
		}
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(tw, "HOST\tGUEST\tROLE\tFROM HISTORY")
	n := 0
	for _, c := range changes {
		if c.status != "write" {
			fmt.Fprintf(tw, "%s\t%s\t-\t%s\n", c.host.Name, c.guest.Name, c.status)
			continue
		}
		n++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.host.Name, c.guest.Name, c.hist.Profile, c.hist.Appetite)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(a.stdout, "\nno role to write")
		return nil
	}
	if !set.yes {
		fmt.Fprintf(a.stdout, "\ndry run: nothing written; run again with --yes to write %s into berth's libvirt metadata (journal: %s)\n", countText(n, "role"), set.journal)
		return nil
	}
	jf, err := os.OpenFile(set.journal, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("roles journal: %w", err)
	}
	defer jf.Close()
	journal := func(r roleRecord) error {
		r.Time = time.Now().UTC()
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := jf.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("roles journal %s: %w", set.journal, err)
		}
		return jf.Sync()
	}
	written, failed := 0, 0
	for _, c := range changes {
		if c.status != "write" {
			continue
		}
		rec := roleRecord{Host: c.host.Name, Guest: c.guest.Name, UUID: c.guest.UUID, Profile: c.hist.Profile,
			Was: c.guest.Profile, Reason: c.hist.Appetite.String()}
		rec.Event = "started"
		if err := journal(rec); err != nil {
			return err // nothing is written that the journal does not announce
		}
		werr := live.WriteRole(ctx, live.RoleWrite{URI: c.host.URI, Domain: c.guest.Name, UUID: c.guest.UUID,
			Profile: c.hist.Profile, PlanID: c.guest.PlanID, Group: c.guest.Group}, roleWriteTimeout)
		rec.Event = "finished"
		if werr != nil {
			rec.Event, rec.Error = "failed", werr.Error()
			failed++
			fmt.Fprintf(a.stderr, "berth: %s/%s: role not written: %v\n", c.host.Name, c.guest.Name, werr)
		} else {
			written++
		}
		if err := journal(rec); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "\nwrote %s into berth's libvirt metadata (journal: %s)\n", countText(written, "role"), set.journal)
	if failed > 0 {
		return withCode(exitPartially, fmt.Errorf("%d of %d roles could not be written (see above and %s)", failed, n, set.journal))
	}
	return nil
}
