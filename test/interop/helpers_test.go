// Helpers of the interoperability suite: the development sign-in, credentials from /api/token,
// answers from /api/sign, and clients of Alibaba's Go OSS SDK (Debian's 1.5.0: V1 header
// signatures, STS tokens) pointed at the local OSS.

package interop

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc64"
	"io"
	"io/ioutil"
	"mime/multipart"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// The app the runner started (npm start in its own process); set by test/interop/run.ts.
var appURL string

func TestMain(m *testing.M) {
	appURL = strings.TrimRight(os.Getenv("INTEROP_APP_URL"), "/")
	if appURL == "" {
		fmt.Fprintln(os.Stderr, "INTEROP_APP_URL is not set: run the suite with npm run test:interop")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// OSS's CRC-64 (CRC-64/XZ: the ECMA-182 polynomial, reflected, all-ones initial and final XOR),
// which Go's hash/crc64 computes with its ECMA table.
var crcTable = crc64.MakeTable(crc64.ECMA)

func crc64Of(data []byte) string {
	return strconv.FormatUint(crc64.Checksum(data, crcTable), 10)
}

// What /api/token answers: STS credentials, and where they reach.
type credentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Bucket          string `json:"bucket"`
	Endpoint        string `json:"endpoint"`
	Prefix          string `json:"prefix"`
}

// What /api/sign answers: a URL with the headers to send, or a form's URL and fields.
type signAnswer struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Fields  map[string]string `json:"fields"`
	Key     string            `json:"key"`
	Error   *struct {
		Code string `json:"code"`
	} `json:"error"`
}

// One signed-in user: the JWT, /api/token's credentials and an SDK bucket made from them.
type user struct {
	name   string
	jwt    string
	creds  credentials
	bucket *oss.Bucket
}

func postJSON(t *testing.T, path, jwt string, body interface{}, out interface{}) int {
	t.Helper()
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", appURL+path, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if jwt != "" {
		req.Header.Set("Authorization", "Bearer "+jwt)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("%s answered %d with no JSON: %v", path, res.StatusCode, err)
	}
	return res.StatusCode
}

// A user with a unique name, signed in, holding readwrite credentials and an SDK client.
func signIn(t *testing.T, name string) *user {
	t.Helper()
	u := &user{name: name + "-" + randomHex(4)}
	var login struct {
		Token string `json:"token"`
	}
	if status := postJSON(t, "/api/dev/login", "", map[string]string{"user": u.name}, &login); status != 200 {
		t.Fatalf("dev login answered %d", status)
	}
	u.jwt = login.Token
	if status := postJSON(t, "/api/token", u.jwt, map[string]string{"access": "readwrite"}, &u.creds); status != 200 {
		t.Fatalf("/api/token answered %d", status)
	}
	// The SDK takes a host name for a bucket domain (bucket.localhost); an IP gives path-style URLs.
	endpoint := strings.Replace(u.creds.Endpoint, "//localhost:", "//127.0.0.1:", 1)
	client, err := oss.New(endpoint, u.creds.AccessKeyID, u.creds.AccessKeySecret, oss.SecurityToken(u.creds.SecurityToken))
	if err != nil {
		t.Fatal(err)
	}
	if u.bucket, err = client.Bucket(u.creds.Bucket); err != nil {
		t.Fatal(err)
	}
	return u
}

func (u *user) sign(t *testing.T, request map[string]interface{}) (int, signAnswer) {
	t.Helper()
	var answer signAnswer
	status := postJSON(t, "/api/sign", u.jwt, request, &answer)
	return status, answer
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Bytes that differ along their length, so a wrong range or part order shows.
func patterned(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

// The OSS error code the SDK reports, or a description of what it returned instead.
func serviceCode(err error) string {
	if err == nil {
		return "no error"
	}
	if se, ok := err.(oss.ServiceError); ok {
		return se.Code
	}
	return "not a ServiceError: " + err.Error()
}

// The <Code> of an OSS XML error body, or the status and body when there is none.
func xmlCode(res *http.Response) string {
	body, _ := ioutil.ReadAll(res.Body)
	start, end := bytes.Index(body, []byte("<Code>")), bytes.Index(body, []byte("</Code>"))
	if start < 0 || end < start {
		return fmt.Sprintf("status %d, body %q", res.StatusCode, body)
	}
	return string(body[start+len("<Code>") : end])
}

// A request to a /sign URL with exactly the headers /sign said to send.
func signedRequest(t *testing.T, a signAnswer, body []byte) *http.Request {
	t.Helper()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequest(a.Method, a.URL, reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range a.Headers {
		if strings.EqualFold(name, "Content-Length") {
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = n
			continue
		}
		req.Header.Set(name, value)
	}
	return req
}

// A PostObject form as a browser posts it: the fields (in name order: OSS needs only the file last), then the file.
func postForm(t *testing.T, url string, fields map[string]string, filename string, file []byte) *http.Response {
	t.Helper()
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, name := range names {
		if err := w.WriteField(name, fields[name]); err != nil {
			t.Fatal(err)
		}
	}
	part, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(file)
	w.Close()
	res, err := http.Post(url, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
