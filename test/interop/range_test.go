// Range as the Go SDK sends it (oss.Range, oss.NormalizedRange; 1.5.0 has no RangeBehavior option,
// so x-oss-range-behavior: standard goes as a header through the SDK's own signed connection), and
// its ranged DownloadFile, against OSS's documented answers for a 1,000-byte object.

package interop

import (
	"bytes"
	"io/ioutil"
	"os"
	"path/filepath"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// A GET of key with these headers through the SDK's connection, which signs them (x-oss-* included).
func getWithHeaders(u *user, key string, headers map[string]string) (*oss.Response, error) {
	return u.bucket.Client.Conn.Do("GET", u.bucket.BucketName, key, "", "", headers, nil, 0, nil)
}

func TestRanges(t *testing.T) {
	alice := signIn(t, "alice")
	key := alice.creds.Prefix + "go/range-" + randomHex(6)
	data := patterned(1000, 3)
	if err := alice.bucket.PutObject(key, bytes.NewReader(data)); err != nil {
		t.Fatalf("PutObject: %v", err)
	}

	// status, Content-Range and body the SDK's GetObject got for these options.
	get := func(t *testing.T, options ...oss.Option) (int, string, []byte) {
		t.Helper()
		result, err := alice.bucket.DoGetObject(&oss.GetObjectRequest{ObjectKey: key}, options)
		if err != nil {
			t.Fatal(err)
		}
		return result.Response.StatusCode, result.Response.Headers.Get("Content-Range"), readAll(t, result.Response.Body)
	}
	expect := func(t *testing.T, status int, contentRange string, body []byte, wantStatus int, wantRange string, want []byte) {
		t.Helper()
		if status != wantStatus || contentRange != wantRange || !bytes.Equal(body, want) {
			t.Errorf("got %d, Content-Range %q, %d bytes; want %d, %q, %d bytes", status, contentRange, len(body), wantStatus, wantRange, len(want))
		}
	}

	t.Run("oss.Range(500, 999) answers 206 with those bytes", func(t *testing.T) {
		status, cr, body := get(t, oss.Range(500, 999))
		expect(t, status, cr, body, 206, "bytes 500-999/1000", data[500:])
	})

	t.Run("oss.NormalizedRange(\"-500\") answers the last 500 bytes", func(t *testing.T) {
		status, cr, body := get(t, oss.NormalizedRange("-500"))
		expect(t, status, cr, body, 206, "bytes 500-999/1000", data[500:])
	})

	t.Run("by default, oss.NormalizedRange(\"1000-\") answers 200 and the whole object, not 416", func(t *testing.T) {
		status, cr, body := get(t, oss.NormalizedRange("1000-"))
		expect(t, status, cr, body, 200, "", data)
	})

	t.Run("by default, oss.Range(500, 2000) answers 200 and the whole object", func(t *testing.T) {
		status, cr, body := get(t, oss.Range(500, 2000))
		expect(t, status, cr, body, 200, "", data)
	})

	t.Run("by default, oss.NormalizedRange(\"-2000\") answers 200 and the whole object", func(t *testing.T) {
		status, cr, body := get(t, oss.NormalizedRange("-2000"))
		expect(t, status, cr, body, 200, "", data)
	})

	t.Run("under x-oss-range-behavior: standard, bytes=500-2000 is cut to 206 500-999", func(t *testing.T) {
		resp, err := getWithHeaders(alice, key, map[string]string{"Range": "bytes=500-2000", "X-Oss-Range-Behavior": "standard"})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, resp.StatusCode, resp.Headers.Get("Content-Range"), readAll(t, resp.Body), 206, "bytes 500-999/1000", data[500:])
	})

	t.Run("under x-oss-range-behavior: standard, bytes=1000- is 416 InvalidRange", func(t *testing.T) {
		_, err := getWithHeaders(alice, key, map[string]string{"Range": "bytes=1000-", "X-Oss-Range-Behavior": "standard"})
		se, ok := err.(oss.ServiceError)
		if !ok || se.StatusCode != 416 || se.Code != "InvalidRange" {
			t.Errorf("got %v, want a 416 InvalidRange ServiceError", err)
		}
	})

	t.Run("DownloadFile in 300-byte ranges writes the whole object", func(t *testing.T) {
		dir, err := ioutil.TempDir("", "interop-range-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		file := filepath.Join(dir, "got.bin")
		if err := alice.bucket.DownloadFile(key, file, 300, oss.Routines(3)); err != nil {
			t.Fatal(err)
		}
		got, err := ioutil.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("downloaded %d bytes, not the %d stored", len(got), len(data))
		}
	})
}
