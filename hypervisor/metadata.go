package hypervisor

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// MetadataNamespace is the XML namespace of berth's metadata element in a
// domain's <metadata>; MetadataPrefix the prefix berth writes it with.
const (
	MetadataNamespace = "https://berth.dev/xmlns/guest/1"
	MetadataPrefix    = "berth"
)

// GuestMetadata is what berth records on a domain it created, as
//
//	<berth:guest xmlns:berth="https://berth.dev/xmlns/guest/1">
//	  <berth:plan>PLAN-ID</berth:plan>
//	  <berth:profile>db</berth:profile>
//	  <berth:group>pg-main</berth:group>
//	</berth:guest>
//
// inside the domain's <metadata>. It unmarshals with encoding/xml from any
// prefix bound to the namespace, and String gives the element in the form
// above, ready for libvirtxml.DomainMetadata.XML (see [AddMetadata]) or
// for virDomainSetMetadata (see [Conn.SetGuestMetadata]).
type GuestMetadata struct {
	XMLName xml.Name `xml:"https://berth.dev/xmlns/guest/1 guest"`
	// PlanID is the plan that created or last moved the guest.
	PlanID string `xml:"plan,omitempty"`
	// Profile is the guest's role (web, db, cache or a user profile).
	Profile string `xml:"profile,omitempty"`
	// Group is the replica group the guest belongs to.
	Group string `xml:"group,omitempty"`
}

// String is the metadata element with the berth prefix declared on it.
func (m GuestMetadata) String() string {
	return m.element(MetadataPrefix + ":")
}

// element writes the element with prefix ("berth:") on every name, or with
// no prefix and no namespace declaration at all when prefix is "" (the form
// virDomainSetMetadata wants: it adds the namespace itself).
func (m GuestMetadata) element(prefix string) string {
	var b strings.Builder
	b.WriteString("<" + prefix + "guest")
	if prefix != "" {
		fmt.Fprintf(&b, ` xmlns:%s="%s"`, MetadataPrefix, MetadataNamespace)
	}
	b.WriteString(">")
	for _, f := range [...]struct{ name, value string }{
		{"plan", m.PlanID}, {"profile", m.Profile}, {"group", m.Group},
	} {
		if f.value == "" {
			continue
		}
		b.WriteString("<" + prefix + f.name + ">")
		xml.EscapeText(&b, []byte(f.value))
		b.WriteString("</" + prefix + f.name + ">")
	}
	b.WriteString("</" + prefix + "guest>")
	return b.String()
}

// ParseGuestMetadata finds berth's element among the children of a
// domain's <metadata> (its inner XML, as in libvirtxml.DomainMetadata.XML)
// and decodes it. It returns nil and no error when there is none; other
// applications' elements are skipped.
func ParseGuestMetadata(inner string) (*GuestMetadata, error) {
	dec := xml.NewDecoder(strings.NewReader(inner))
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("metadata XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Space == MetadataNamespace && t.Name.Local == "guest" {
				var m GuestMetadata
				if err := dec.DecodeElement(&m, &t); err != nil {
					return nil, fmt.Errorf("berth metadata: %w", err)
				}
				m.XMLName = xml.Name{} // the tag names it; keep values comparable
				return &m, nil
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// AddMetadata puts m into d's <metadata>, replacing a berth element already
// there and keeping other applications' elements, for defining a domain.
func AddMetadata(d *libvirtxml.Domain, m GuestMetadata) error {
	inner := ""
	if d.Metadata != nil {
		var err error
		if inner, err = withoutBerthElement(d.Metadata.XML); err != nil {
			return err
		}
	}
	d.Metadata = &libvirtxml.DomainMetadata{XML: inner + m.String()}
	return nil
}

// withoutBerthElement returns the inner XML of a <metadata> with berth's
// element removed.
func withoutBerthElement(inner string) (string, error) {
	dec := xml.NewDecoder(strings.NewReader(inner))
	var keep strings.Builder
	depth := 0
	start := int64(0)
	skipFrom := int64(-1)
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			keep.WriteString(inner[start:])
			return keep.String(), nil
		}
		if err != nil {
			return "", fmt.Errorf("metadata XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Space == MetadataNamespace && t.Name.Local == "guest" {
				skipFrom = off
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 0 && skipFrom >= 0 {
				keep.WriteString(inner[start:skipFrom])
				start = dec.InputOffset()
				skipFrom = -1
			}
		}
	}
}

// SetGuestMetadata writes m onto the named domain's persistent definition,
// and onto the running domain too when it runs.
func (c *Conn) SetGuestMetadata(ctx context.Context, domain string, m GuestMetadata) error {
	return c.onDomain(ctx, "set metadata on "+domain, domain, false, func(dom *libvirt.Domain) error {
		flags := libvirt.DOMAIN_AFFECT_CONFIG
		if active, err := dom.IsActive(); err == nil && active {
			flags |= libvirt.DOMAIN_AFFECT_LIVE
		}
		return dom.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, m.element(""), MetadataPrefix, MetadataNamespace, flags)
	})
}
