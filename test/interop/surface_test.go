// The rest of what a user's STS credentials can reach, through Alibaba's Go OSS SDK (Debian's
// 1.5.0, V1 signatures: the symlink, append, position and acl sub-resources are signed): symlinks,
// appends, copies and object ACLs, on the user's own prefix and reaching for another user's.

package interop

import (
	"bytes"
	"io/ioutil"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestSymlinksAppendsCopies(t *testing.T) {
	alice := signIn(t, "alice")
	bob := signIn(t, "bob")
	own := alice.creds.Prefix + "go/" + randomHex(6) + ".txt"
	ownData := patterned(150*1024+3, 7)
	if err := alice.bucket.PutObject(own, bytes.NewReader(ownData)); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	bobs := bob.creds.Prefix + "go/" + randomHex(6) + ".txt"
	if err := bob.bucket.PutObject(bobs, strings.NewReader("bob's bytes")); err != nil {
		t.Fatalf("Bob's PutObject: %v", err)
	}

	t.Run("GetObject through a symlink to one's own object reads the target, CRC-64 checked by the SDK", func(t *testing.T) {
		link := alice.creds.Prefix + "go/link-" + randomHex(6)
		if err := alice.bucket.PutSymlink(link, own); err != nil {
			t.Fatal(err)
		}
		// GetObjectToFile compares the CRC-64 it computes with the one the answer carries.
		file := filepath.Join(t.TempDir(), "through-link")
		if err := alice.bucket.GetObjectToFile(link, file); err != nil {
			t.Fatal(err)
		}
		if got, _ := ioutil.ReadFile(file); !bytes.Equal(got, ownData) {
			t.Errorf("read %d bytes through the link, want the target's %d", len(got), len(ownData))
		}
		h, err := alice.bucket.GetObjectDetailedMeta(link)
		if err != nil {
			t.Fatal(err)
		}
		if h.Get("X-Oss-Object-Type") != "Symlink" || h.Get("ETag") != etagOf(ownData) {
			t.Errorf("HeadObject of the link: type %q, ETag %q; want Symlink and the target's %s", h.Get("X-Oss-Object-Type"), h.Get("ETag"), etagOf(ownData))
		}
		h, err = alice.bucket.GetSymlink(link)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Get(oss.HTTPHeaderOssSymlinkTarget); got != own {
			t.Errorf("GetSymlink target %q, want %q", got, own)
		}
	})

	t.Run("a symlink to another user's object is created, and GetObject through it is refused: AccessDenied", func(t *testing.T) {
		link := alice.creds.Prefix + "go/peek-" + randomHex(6)
		if err := alice.bucket.PutSymlink(link, bobs); err != nil {
			t.Fatalf("PutSymlink (OSS checks nothing of the target): %v", err)
		}
		_, err := alice.bucket.GetObject(link)
		if code := serviceCode(err); code != "AccessDenied" {
			t.Errorf("got %s", code)
		}
	})

	t.Run("AppendObject twice accumulates the bytes, and the SDK's CRC-64 check of the whole passes", func(t *testing.T) {
		key := alice.creds.Prefix + "go/append-" + randomHex(6)
		first, second := patterned(1000, 8), patterned(2345, 9)
		next, err := alice.bucket.AppendObject(key, bytes.NewReader(first), 0, oss.InitCRC(0))
		if err != nil || next != int64(len(first)) {
			t.Fatalf("first append: next %d, %v", next, err)
		}
		h, err := alice.bucket.GetObjectDetailedMeta(key)
		if err != nil {
			t.Fatal(err)
		}
		crc, err := strconv.ParseUint(h.Get(oss.HTTPHeaderOssCRC64), 10, 64)
		if err != nil {
			t.Fatalf("x-oss-hash-crc64ecma: %v", err)
		}
		next, err = alice.bucket.AppendObject(key, bytes.NewReader(second), next, oss.InitCRC(crc))
		if err != nil || next != int64(len(first)+len(second)) {
			t.Fatalf("second append: next %d, %v", next, err)
		}
		checkStoredCRC(t, alice, key, append(append([]byte{}, first...), second...))
		// DoAppendObject: the SDK's AppendObject dereferences a nil result when the append fails.
		stale := &oss.AppendObjectRequest{ObjectKey: key, Reader: strings.NewReader("late"), Position: 0}
		if _, err := alice.bucket.DoAppendObject(stale, nil); serviceCode(err) != "PositionNotEqualToLength" {
			t.Errorf("an append at a stale position: %s", serviceCode(err))
		}
	})

	t.Run("CopyObject of one's own object copies its bytes", func(t *testing.T) {
		dest := alice.creds.Prefix + "go/copy-" + randomHex(6)
		if _, err := alice.bucket.CopyObject(own, dest); err != nil {
			t.Fatal(err)
		}
		checkStoredCRC(t, alice, dest, ownData)
	})

	t.Run("CopyObject from another user's object is refused: AccessDenied", func(t *testing.T) {
		_, err := alice.bucket.CopyObject(bobs, alice.creds.Prefix+"go/stolen-"+randomHex(6))
		if code := serviceCode(err); code != "AccessDenied" {
			t.Errorf("got %s", code)
		}
	})

	t.Run("UploadPartCopy of one's own object, in two ranges, completes to the same bytes", func(t *testing.T) {
		dest := alice.creds.Prefix + "go/part-copy-" + randomHex(6)
		imur, err := alice.bucket.InitiateMultipartUpload(dest)
		if err != nil {
			t.Fatal(err)
		}
		split := int64(100 * 1024)
		p1, err := alice.bucket.UploadPartCopy(imur, alice.bucket.BucketName, own, 0, split, 1)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := alice.bucket.UploadPartCopy(imur, alice.bucket.BucketName, own, split, int64(len(ownData))-split, 2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := alice.bucket.CompleteMultipartUpload(imur, []oss.UploadPart{p1, p2}); err != nil {
			t.Fatal(err)
		}
		checkStoredCRC(t, alice, dest, ownData)
	})

	t.Run("UploadPartCopy from another user's object is refused: AccessDenied", func(t *testing.T) {
		imur, err := alice.bucket.InitiateMultipartUpload(alice.creds.Prefix + "go/part-stolen-" + randomHex(6))
		if err != nil {
			t.Fatal(err)
		}
		_, err = alice.bucket.UploadPartCopy(imur, alice.bucket.BucketName, bobs, 0, 5, 1)
		if code := serviceCode(err); code != "AccessDenied" {
			t.Errorf("got %s", code)
		}
	})

	t.Run("SetObjectACL and GetObjectACL are refused: the session policy grants neither: AccessDenied", func(t *testing.T) {
		if code := serviceCode(alice.bucket.SetObjectACL(own, oss.ACLPublicRead)); code != "AccessDenied" {
			t.Errorf("SetObjectACL: %s", code)
		}
		if _, err := alice.bucket.GetObjectACL(own); serviceCode(err) != "AccessDenied" {
			t.Errorf("GetObjectACL: %s", serviceCode(err))
		}
	})
}
