// A backend service that stores files for a user with credentials from the token function: it POSTs
// /token with a JWT for that user (from your identity provider's service-to-service flow), then uploads
// and lists with the Alibaba Cloud Go OSS SDK using the STS credentials, which reach only the user's
// prefix. It never holds an AccessKey of its own. See README.md, "Backends".
//
//	TOKEN_URL=https://<token function>/token USER_JWT=<jwt> go run . report.pdf
//
// Builds with Debian's SDK (golang-github-aliyun-aliyun-oss-go-sdk-dev, v1.5.0) in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build .
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// tokenAnswer is what POST /token answers (README.md, "POST /token").
type tokenAnswer struct {
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Expiration      string `json:"Expiration"`
	Bucket          string `json:"bucket"`
	Endpoint        string `json:"endpoint"`
	Prefix          string `json:"prefix"`
}

type apiError struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"requestId"`
	} `json:"error"`
}

// fetchToken asks the token function for credentials of the given access level ("upload", "download",
// "readwrite") for the user the JWT names.
func fetchToken(tokenURL, jwt, access string) (*tokenAnswer, error) {
	body, _ := json.Marshal(map[string]string{"access": access})
	req, err := http.NewRequest(http.MethodPost, tokenURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var e apiError
		_ = json.NewDecoder(res.Body).Decode(&e)
		return nil, fmt.Errorf("POST /token: %d %s: %s (request %s)", res.StatusCode, e.Error.Code, e.Error.Message, e.Error.RequestID)
	}
	var t tokenAnswer
	if err := json.NewDecoder(res.Body).Decode(&t); err != nil {
		return nil, err
	}
	return &t, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: TOKEN_URL=... USER_JWT=... go-upload <file>")
		os.Exit(2)
	}
	t, err := fetchToken(os.Getenv("TOKEN_URL"), os.Getenv("USER_JWT"), "readwrite")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	endpoint := t.Endpoint
	if e := os.Getenv("OSS_ENDPOINT"); e != "" {
		endpoint = e // e.g. http://127.0.0.1:<port> for the local OSS: this SDK treats "localhost" as a domain
	}
	client, err := oss.New(endpoint, t.AccessKeyID, t.AccessKeySecret, oss.SecurityToken(t.SecurityToken))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bucket, err := client.Bucket(t.Bucket)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The credentials reach t.Prefix and nothing else: a key outside it is refused by OSS (AccessDenied).
	key := t.Prefix + "backend/" + strings.ReplaceAll(filepath.Base(os.Args[1]), " ", "-")
	if err := bucket.PutObject(key, bytes.NewReader(data), oss.ContentType(http.DetectContentType(data))); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	listed, err := bucket.ListObjects(oss.Prefix(t.Prefix + "backend/"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("stored %s (%d bytes); %d object(s) under %sbackend/; credentials expire %s\n", key, len(data), len(listed.Objects), t.Prefix, t.Expiration)
}
