package planner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// PlanFiles says how plan files are read and written: the most one may
// hold, and the key that signs and verifies them. The zero value reads
// with safefile.DefaultMaxInput and neither signs nor verifies.
//
// The checksum every plan carries proves a file is whole and untouched
// since it was last checksummed: it catches damage, truncation and careless
// edits. Anyone can recompute it, so it is not proof of who made the plan.
// A signature is: an HMAC-SHA256, with a key the team shares, of the same
// content the checksum covers. With a key, Write signs and Read refuses a
// plan that is unsigned or signed with another key (or edited and then
// re-checksummed), so a plan handed from one machine to another is
// applied only if someone holding the key made it.
type PlanFiles struct {
	// MaxInput caps a plan file's size in bytes (0 = the default cap).
	MaxInput int64
	// Key signs and verifies plans; nil = none.
	Key []byte
}

// MinPlanKeyLength is the shortest signing key accepted, in bytes.
const MinPlanKeyLength = 16

// planDocument is a plan file: the plan and, when signed, its signature.
type planDocument struct {
	*Plan
	// Signature is "hmac-sha256:" and the hex HMAC of the plan's content.
	Signature string `json:"signature,omitempty"`
}

const signaturePrefix = "hmac-sha256:"

// sign is p's signature with the files' key, "" without one.
func (pf PlanFiles) sign(p *Plan) string {
	if len(pf.Key) == 0 {
		return ""
	}
	c := *p
	c.Checksum = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return ""
	}
	m := hmac.New(sha256.New, pf.Key)
	m.Write(b)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// verify checks p's signature when the files have a key; without one, a
// signature is not checked (the plan's checksum still is).
func (pf PlanFiles) verify(name string, p *Plan, sig string) error {
	if len(pf.Key) == 0 {
		return nil
	}
	if sig == "" {
		return fmt.Errorf("%s: the plan is not signed, and a plan signing key is configured (planSigningKey, BERTH_PLAN_KEY): only plans signed with that key are read; make the plan with the key configured", name)
	}
	want := pf.sign(p)
	if !strings.HasPrefix(sig, signaturePrefix) || !hmac.Equal([]byte(sig), []byte(want)) {
		return fmt.Errorf("%s: the plan's signature does not match: it was signed with another key, or edited and re-checksummed; it is not read", name)
	}
	return nil
}
