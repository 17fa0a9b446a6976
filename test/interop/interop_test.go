// Alibaba's Go OSS SDK (Debian's 1.5.0, which this project did not write) and Go's net/http
// against the local OSS, with credentials from /api/token and URLs and forms from /api/sign:
// what works on the user's own prefix, and what is refused on another user's, each asserted as
// OSS answers it.

package interop

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func etagOf(data []byte) string {
	return fmt.Sprintf("\"%X\"", md5.Sum(data))
}

func readAll(t *testing.T, body io.ReadCloser) []byte {
	t.Helper()
	defer body.Close()
	data, err := ioutil.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// GetObjectMeta as the OSS API reference gives it: HEAD with the objectMeta subresource, sent
// through the SDK's own connection so the SDK signs it.
func objectMeta(u *user, key string) (*oss.Response, error) {
	return u.bucket.Client.Conn.Do("HEAD", u.bucket.BucketName, key, "objectMeta", "objectMeta", nil, nil, 0, nil)
}

// What GetObjectMeta answers: the ETag and the size (Content-Length).
func checkMeta(t *testing.T, h http.Header, data []byte) {
	t.Helper()
	if got := h.Get("ETag"); got != etagOf(data) {
		t.Errorf("ETag %q, want %q", got, etagOf(data))
	}
	if got := h.Get("Content-Length"); got != strconv.Itoa(len(data)) {
		t.Errorf("Content-Length %q, want %d", got, len(data))
	}
}

// OSS computes the CRC-64 of every write and answers it on HEAD.
func checkStoredCRC(t *testing.T, u *user, key string, data []byte) {
	t.Helper()
	h, err := u.bucket.GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Get(oss.HTTPHeaderOssCRC64); got != crc64Of(data) {
		t.Errorf("stored x-oss-hash-crc64ecma %q, want %s", got, crc64Of(data))
	}
}

func TestOwnPrefix(t *testing.T) {
	alice := signIn(t, "alice")
	key := alice.creds.Prefix + "go/" + randomHex(6) + ".bin"
	data := patterned(300*1024+7, 1)
	if err := alice.bucket.PutObject(key, bytes.NewReader(data)); err != nil {
		t.Fatalf("PutObject: %v", err)
	}

	t.Run("PutObject answers the ETag and CRC-64 of what it stored", func(t *testing.T) {
		body := patterned(64*1024, 2)
		resp, err := alice.bucket.DoPutObject(&oss.PutObjectRequest{ObjectKey: alice.creds.Prefix + "go/" + randomHex(6), Reader: bytes.NewReader(body)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Headers.Get("ETag"); got != etagOf(body) {
			t.Errorf("ETag %s, want %s", got, etagOf(body))
		}
		if got := resp.Headers.Get(oss.HTTPHeaderOssCRC64); got != crc64Of(body) {
			t.Errorf("x-oss-hash-crc64ecma %q, want %s", got, crc64Of(body))
		}
	})

	t.Run("GetObject returns the bytes and their CRC-64", func(t *testing.T) {
		result, err := alice.bucket.DoGetObject(&oss.GetObjectRequest{ObjectKey: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, result.Response.Body); !bytes.Equal(got, data) {
			t.Errorf("read %d bytes, not the %d stored", len(got), len(data))
		}
		if got := result.Response.Headers.Get(oss.HTTPHeaderOssCRC64); got != crc64Of(data) {
			t.Errorf("x-oss-hash-crc64ecma %q, want %s", got, crc64Of(data))
		}
	})

	t.Run("a ranged GetObject answers 206 with exactly those bytes", func(t *testing.T) {
		result, err := alice.bucket.DoGetObject(&oss.GetObjectRequest{ObjectKey: key}, []oss.Option{oss.Range(1000, 1999)})
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, result.Response.Body); !bytes.Equal(got, data[1000:2000]) {
			t.Errorf("read %d bytes, not bytes 1000-1999", len(got))
		}
		if result.Response.StatusCode != 206 {
			t.Errorf("status %d, want 206", result.Response.StatusCode)
		}
		if got, want := result.Response.Headers.Get("Content-Range"), fmt.Sprintf("bytes 1000-1999/%d", len(data)); got != want {
			t.Errorf("Content-Range %q, want %q", got, want)
		}
	})

	t.Run("HeadObject gives the size, ETag and CRC-64", func(t *testing.T) {
		h, err := alice.bucket.GetObjectDetailedMeta(key)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"Content-Length": strconv.Itoa(len(data)), "ETag": etagOf(data), oss.HTTPHeaderOssCRC64: crc64Of(data)}
		for name, value := range want {
			if got := h.Get(name); got != value {
				t.Errorf("%s %q, want %q", name, got, value)
			}
		}
	})

	// The 1.5.0 SDK's GetObjectMeta sends `GET <key>??objectMeta`, signed without the subresource.
	t.Run("GetObjectMeta (the SDK's call) gives the size and ETag", func(t *testing.T) {
		h, err := alice.bucket.GetObjectMeta(key)
		if err != nil {
			t.Fatal(err)
		}
		checkMeta(t, h, data)
	})

	t.Run("GetObjectMeta as OSS documents it (HEAD ?objectMeta, signed by the SDK) gives the size and ETag", func(t *testing.T) {
		resp, err := objectMeta(alice, key)
		if err != nil {
			t.Fatal(err)
		}
		checkMeta(t, resp.Headers, data)
	})

	t.Run("ListObjects with a prefix and delimiter lists the folder's objects and its subfolders", func(t *testing.T) {
		folder := alice.creds.Prefix + "go-list-" + randomHex(4) + "/"
		for _, name := range []string{"a.txt", "b.txt", "sub/c.txt", "sub/d.txt"} {
			if err := alice.bucket.PutObject(folder+name, strings.NewReader(name)); err != nil {
				t.Fatal(err)
			}
		}
		result, err := alice.bucket.ListObjects(oss.Prefix(folder), oss.Delimiter("/"))
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range result.Objects {
			keys = append(keys, o.Key)
		}
		sort.Strings(keys)
		if fmt.Sprint(keys) != fmt.Sprint([]string{folder + "a.txt", folder + "b.txt"}) {
			t.Errorf("objects %v", keys)
		}
		if fmt.Sprint(result.CommonPrefixes) != fmt.Sprint([]string{folder + "sub/"}) {
			t.Errorf("common prefixes %v", result.CommonPrefixes)
		}
	})

	t.Run("a multipart upload of three parts completes, reads back whole, with the combined CRC-64", func(t *testing.T) {
		mpKey := alice.creds.Prefix + "go/multipart-" + randomHex(6)
		parts := [][]byte{patterned(256*1024, 3), patterned(256*1024, 4), patterned(100*1024+3, 5)}
		imur, err := alice.bucket.InitiateMultipartUpload(mpKey)
		if err != nil {
			t.Fatal(err)
		}
		var uploaded []oss.UploadPart
		for i, p := range parts {
			// With CRC checking on (the SDK's default) UploadPart compares the part's CRC-64 when OSS sends it.
			part, err := alice.bucket.UploadPart(imur, bytes.NewReader(p), int64(len(p)), i+1)
			if err != nil {
				t.Fatalf("part %d: %v", i+1, err)
			}
			if part.ETag != etagOf(p) {
				t.Errorf("part %d ETag %s, want %s", i+1, part.ETag, etagOf(p))
			}
			uploaded = append(uploaded, part)
		}
		if _, err := alice.bucket.CompleteMultipartUpload(imur, uploaded); err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		whole := bytes.Join(parts, nil)
		body, err := alice.bucket.GetObject(mpKey)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, body); !bytes.Equal(got, whole) {
			t.Errorf("read %d bytes, not the %d uploaded", len(got), len(whole))
		}
		h, err := alice.bucket.GetObjectDetailedMeta(mpKey)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Get(oss.HTTPHeaderOssCRC64); got != crc64Of(whole) {
			t.Errorf("x-oss-hash-crc64ecma %q, want %s", got, crc64Of(whole))
		}
	})

	t.Run("UploadPart answers the part's ETag and CRC-64", func(t *testing.T) {
		imur, err := alice.bucket.InitiateMultipartUpload(alice.creds.Prefix + "go/part-" + randomHex(6))
		if err != nil {
			t.Fatal(err)
		}
		defer alice.bucket.AbortMultipartUpload(imur)
		part := patterned(128*1024, 7)
		// The SDK's UploadPart keeps only the ETag; its own connection (which signs) returns the headers.
		params := "partNumber=1&uploadId=" + imur.UploadID
		resp, err := alice.bucket.Client.Conn.Do("PUT", alice.bucket.BucketName, imur.Key, params, params,
			map[string]string{"Content-Length": strconv.Itoa(len(part))}, bytes.NewReader(part), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Headers.Get("ETag"); got != etagOf(part) {
			t.Errorf("ETag %s, want %s", got, etagOf(part))
		}
		if got := resp.Headers.Get(oss.HTTPHeaderOssCRC64); got != crc64Of(part) {
			t.Errorf("x-oss-hash-crc64ecma %q, want %s", got, crc64Of(part))
		}
	})

	signedWrites := map[string][]byte{}
	t.Run("a /sign PUT URL uploads with net/http", func(t *testing.T) {
		body := []byte("uploaded through a presigned PUT")
		status, a := alice.sign(t, map[string]interface{}{"op": "put", "contentType": "text/plain", "size": len(body)})
		if status != 200 {
			t.Fatalf("/sign answered %d", status)
		}
		res, err := http.DefaultClient.Do(signedRequest(t, a, body))
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 {
			t.Fatalf("PUT answered %s", xmlCode(res))
		}
		res.Body.Close()
		stored, err := alice.bucket.GetObject(a.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, stored); !bytes.Equal(got, body) {
			t.Errorf("stored %q", got)
		}
		signedWrites[a.Key] = body
	})

	t.Run("a /sign GET URL downloads with net/http", func(t *testing.T) {
		status, a := alice.sign(t, map[string]interface{}{"op": "get", "key": key})
		if status != 200 {
			t.Fatalf("/sign answered %d", status)
		}
		res, err := http.DefaultClient.Do(signedRequest(t, a, nil))
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 {
			t.Fatalf("GET answered %s", xmlCode(res))
		}
		if got := readAll(t, res.Body); !bytes.Equal(got, data) {
			t.Errorf("read %d bytes, not the %d stored", len(got), len(data))
		}
	})

	t.Run("a /sign PostObject form uploads with net/http", func(t *testing.T) {
		file := []byte("uploaded through a PostObject form")
		status, a := alice.sign(t, map[string]interface{}{"op": "post", "contentType": "text/plain", "size": len(file)})
		if status != 200 {
			t.Fatalf("/sign answered %d", status)
		}
		res := postForm(t, a.URL, a.Fields, "form.txt", file)
		if res.StatusCode != 200 {
			t.Fatalf("POST answered %s", xmlCode(res))
		}
		res.Body.Close()
		stored, err := alice.bucket.GetObject(a.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, stored); !bytes.Equal(got, file) {
			t.Errorf("stored %q", got)
		}
		signedWrites[a.Key] = file
	})

	t.Run("the objects a /sign URL and a /sign form wrote answer their CRC-64 on HEAD", func(t *testing.T) {
		if len(signedWrites) != 2 {
			t.Fatalf("%d of the 2 uploads above succeeded", len(signedWrites))
		}
		for k, written := range signedWrites {
			checkStoredCRC(t, alice, k, written)
		}
	})
}

// Alice's credentials, URLs and forms against Bob's prefix, where Bob's objects and upload exist.
func TestAnotherUsersPrefix(t *testing.T) {
	bob := signIn(t, "bob")
	alice := signIn(t, "alice")
	bobKey := bob.creds.Prefix + "go/" + randomHex(6) + ".bin"
	data := patterned(8*1024, 6)
	if err := bob.bucket.PutObject(bobKey, bytes.NewReader(data)); err != nil {
		t.Fatalf("Bob's PutObject: %v", err)
	}
	bobUpload, err := bob.bucket.InitiateMultipartUpload(bob.creds.Prefix + "go/multipart-" + randomHex(6))
	if err != nil {
		t.Fatalf("Bob's InitiateMultipartUpload: %v", err)
	}
	bobPart, err := bob.bucket.UploadPart(bobUpload, bytes.NewReader(data), int64(len(data)), 1)
	if err != nil {
		t.Fatalf("Bob's UploadPart: %v", err)
	}

	refused := func(name string, call func() error) {
		t.Run(name+" is refused: AccessDenied", func(t *testing.T) {
			if code := serviceCode(call()); code != "AccessDenied" {
				t.Errorf("got %s", code)
			}
		})
	}
	refused("PutObject", func() error { return alice.bucket.PutObject(bob.creds.Prefix+"go/from-alice", strings.NewReader("x")) })
	refused("GetObject", func() error { _, err := alice.bucket.GetObject(bobKey); return err })
	refused("a ranged GetObject", func() error { _, err := alice.bucket.GetObject(bobKey, oss.Range(0, 9)); return err })
	refused("GetObjectMeta (the SDK's call)", func() error { _, err := alice.bucket.GetObjectMeta(bobKey); return err })
	refused("ListObjects under his prefix", func() error {
		_, err := alice.bucket.ListObjects(oss.Prefix(bob.creds.Prefix), oss.Delimiter("/"))
		return err
	})
	refused("InitiateMultipartUpload", func() error {
		_, err := alice.bucket.InitiateMultipartUpload(bob.creds.Prefix + "go/from-alice")
		return err
	})
	refused("UploadPart into his upload", func() error {
		_, err := alice.bucket.UploadPart(bobUpload, bytes.NewReader(data), int64(len(data)), 2)
		return err
	})
	refused("CompleteMultipartUpload of his upload", func() error {
		_, err := alice.bucket.CompleteMultipartUpload(bobUpload, []oss.UploadPart{bobPart})
		return err
	})

	// HEAD answers carry no body, so the SDK can report only the status, not the code.
	t.Run("HeadObject is refused: 403", func(t *testing.T) {
		_, err := alice.bucket.GetObjectDetailedMeta(bobKey)
		if err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("GetObjectMeta as OSS documents it (HEAD ?objectMeta) is refused: 403", func(t *testing.T) {
		_, err := objectMeta(alice, bobKey)
		if err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("got %v", err)
		}
	})

	for _, request := range []map[string]interface{}{
		{"op": "put", "key": bobKey, "contentType": "text/plain", "size": 3},
		{"op": "get", "key": bobKey},
		{"op": "post", "key": bobKey, "contentType": "text/plain", "size": 3},
	} {
		request := request
		t.Run(fmt.Sprintf("/sign will not sign a %s for his key: 400 KeyOutsidePrefix", request["op"]), func(t *testing.T) {
			status, a := alice.sign(t, request)
			if status != 400 || a.Error == nil || a.Error.Code != "KeyOutsidePrefix" {
				t.Errorf("got %d %+v", status, a.Error)
			}
		})
	}

	t.Run("Alice's /sign PUT URL pointed at his key is refused: SignatureDoesNotMatch", func(t *testing.T) {
		body := []byte("abc")
		status, a := alice.sign(t, map[string]interface{}{"op": "put", "contentType": "text/plain", "size": len(body)})
		if status != 200 {
			t.Fatalf("/sign answered %d", status)
		}
		a.URL = strings.Replace(a.URL, "/"+a.Key+"?", "/"+bob.creds.Prefix+"go/from-alice?", 1)
		if !strings.Contains(a.URL, bob.creds.Prefix) {
			t.Fatalf("the URL %s does not hold the key in its path", a.URL)
		}
		res, err := http.DefaultClient.Do(signedRequest(t, a, body))
		if err != nil {
			t.Fatal(err)
		}
		if code := xmlCode(res); res.StatusCode != 403 || code != "SignatureDoesNotMatch" {
			t.Errorf("got %d %s", res.StatusCode, code)
		}
	})

	t.Run("Alice's /sign form with his key is refused: AccessDenied", func(t *testing.T) {
		file := []byte("abc")
		status, a := alice.sign(t, map[string]interface{}{"op": "post", "contentType": "text/plain", "size": len(file)})
		if status != 200 {
			t.Fatalf("/sign answered %d", status)
		}
		a.Fields["key"] = bob.creds.Prefix + "go/from-alice"
		res := postForm(t, a.URL, a.Fields, "form.txt", file)
		if code := xmlCode(res); res.StatusCode != 403 || code != "AccessDenied" {
			t.Errorf("got %d %s", res.StatusCode, code)
		}
	})
}
