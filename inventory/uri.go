package inventory

import "net/url"

// MaskURI hides the password in a connection URI
// (qemu+ssh://root:secret@kvm07/system → qemu+ssh://root:xxxxx@kvm07/system),
// so URIs can be printed, logged and saved. A URI that does not parse is
// returned as "<unparseable URI>" rather than risk printing a secret.
func MaskURI(uri string) string {
	if uri == "" {
		return ""
	}
	u, err := url.Parse(uri)
	if err != nil {
		return "<unparseable URI>"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	masked := false
	for _, k := range []string{"password", "passwd", "authfile"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
			masked = true
		}
	}
	if masked {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
