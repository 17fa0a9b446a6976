// iOS: STS credentials for the OSS iOS SDK (AliyunOSSiOS) from this project's token function, and an
// upload whose answer is the callback function's. See docs/mobile.md.

import AliyunOSSiOS
import Foundation

/// Where the credentials reach: every key they may write starts with `prefix`.
struct TokenGrant {
    let bucket: String
    let endpoint: String
    let prefix: String
}

enum UploadError: Error {
    case api(path: String, status: Int, code: String, message: String)
    case malformedAnswer
    case clock(secondsLeft: Int)
}

/// Fetches credentials with `POST /token` and the app's own bearer token. The SDK calls the getter on a
/// background queue whenever its cached credentials have less than `sdkRefreshWindowSeconds` left, so
/// this class keeps no cache of its own.
final class UploadCredentialProvider {
    static let tokenPath = "/token"
    static let signPath = "/sign"
    static let apiMethod = "POST"
    // OSSFederationCredentialProvider asks again when fewer than 5 minutes remain.
    static let sdkRefreshWindowSeconds: Int = 300
    static let timeoutSeconds: TimeInterval = 10

    private let apiBase: URL
    private let signBase: URL
    private let appToken: () -> String
    private let access: String
    private let lock = NSLock()
    private var lastGrant: TokenGrant?

    /// - Parameters:
    ///   - apiBase: the token function's URL from `s info -o json` (or `https://<custom domain>/api`)
    ///   - appToken: returns the signed-in user's JWT
    ///   - access: "upload", "download" or "readwrite"
    ///   - signBase: the sign function's URL from `s info -o json` (on a custom domain, the same as `apiBase`)
    init(apiBase: URL, appToken: @escaping () -> String, access: String = "upload", signBase: URL? = nil) {
        self.apiBase = apiBase
        self.signBase = signBase ?? apiBase
        self.appToken = appToken
        self.access = access
    }

    /// The bucket, endpoint and prefix of the last answer.
    var grant: TokenGrant? {
        lock.lock()
        defer { lock.unlock() }
        return lastGrant
    }

    /// The provider to give OSSClient.
    func credentialProvider() -> OSSFederationCredentialProvider {
        return OSSFederationCredentialProvider(federationTokenGetter: { [weak self] () -> OSSFederationToken? in
            return try? self?.fetchToken()
        })
    }

    /// One `POST /token`, synchronously: the SDK's getter runs off the main thread and must return a token.
    func fetchToken() throws -> OSSFederationToken {
        let json = try post(base: apiBase, path: UploadCredentialProvider.tokenPath, body: ["access": access])
        guard let accessKeyId = json["AccessKeyId"] as? String,
              let accessKeySecret = json["AccessKeySecret"] as? String,
              let securityToken = json["SecurityToken"] as? String,
              let expiration = json["Expiration"] as? String,
              let bucket = json["bucket"] as? String,
              let endpoint = json["endpoint"] as? String,
              let prefix = json["prefix"] as? String,
              let expires = ISO8601DateFormatter().date(from: expiration)
        else { throw UploadError.malformedAnswer }

        let secondsLeft = Int(expires.timeIntervalSinceNow)
        if secondsLeft <= UploadCredentialProvider.sdkRefreshWindowSeconds {
            // The SDK would ask again before its next request: a sign the device clock is wrong.
            throw UploadError.clock(secondsLeft: secondsLeft)
        }
        lock.lock()
        lastGrant = TokenGrant(bucket: bucket, endpoint: endpoint, prefix: prefix)
        lock.unlock()

        let token = OSSFederationToken()
        token.tAccessKey = accessKeyId
        token.tSecretKey = accessKeySecret
        token.tToken = securityToken
        token.expirationTimeInGMTFormat = expiration
        return token
    }

    /// The upload callback `POST /sign {"op":"callback","key"}` pins for `key`: OSS's own variables and a
    /// MAC that proves this project's sign function issued it for this key and user. The callback
    /// function answers nothing to a callback without that MAC (OSS then answers the upload 203), so take
    /// it from here for every key. Synchronous: call it off the main thread.
    func pinnedCallback(key: String) throws -> [String: String] {
        let json = try post(base: signBase, path: UploadCredentialProvider.signPath, body: ["op": "callback", "key": key])
        guard let params = json["callbackParams"] as? [String: String] else { throw UploadError.malformedAnswer }
        return params
    }

    /// One JSON request to a function with the app's bearer token, synchronously; a 2xx answer's JSON.
    private func post(base: URL, path: String, body: [String: String]) throws -> [String: Any] {
        var request = URLRequest(url: base.appendingPathComponent(String(path.dropFirst())))
        request.httpMethod = UploadCredentialProvider.apiMethod
        request.timeoutInterval = UploadCredentialProvider.timeoutSeconds
        request.setValue("Bearer \(appToken())", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)

        var answer: (Data?, URLResponse?, Error?) = (nil, nil, nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            answer = (data, response, error)
            done.signal()
        }.resume()
        done.wait()
        if let error = answer.2 { throw error }
        let status = (answer.1 as? HTTPURLResponse)?.statusCode ?? 0
        let json = (answer.0.flatMap { try? JSONSerialization.jsonObject(with: $0) }) as? [String: Any] ?? [:]
        guard (200...299).contains(status) else {
            // {"error":{"code","message","requestId"}}: never a secret, safe to log.
            let error = json["error"] as? [String: Any]
            throw UploadError.api(path: path, status: status, code: error?["code"] as? String ?? "", message: error?["message"] as? String ?? "")
        }
        return json
    }
}

/// Uploads a file under the user's prefix with the callback /sign pins for its key; `completion` gets the
/// callback function's JSON answer (key, size, etag, mimeType, user, url, expiresAt), which OSS relays.
func uploadWithCallback(client: OSSClient, provider: UploadCredentialProvider, file: URL, name: String,
                        completion: @escaping (Result<[String: Any], Error>) -> Void) {
    DispatchQueue.global(qos: .userInitiated).async {
        do {
            let grant: TokenGrant
            if let known = provider.grant {
                grant = known
            } else {
                _ = try provider.fetchToken()
                guard let fetched = provider.grant else { throw UploadError.malformedAnswer }
                grant = fetched
            }
            let put = OSSPutObjectRequest()
            put.bucketName = grant.bucket
            put.objectKey = grant.prefix + name
            put.uploadingFileURL = file
            put.callbackParam = try provider.pinnedCallback(key: put.objectKey)
            client.putObject(put).continue({ task -> Any? in
                if let error = task.error {
                    completion(.failure(error))
                } else if let result = task.result as? OSSPutObjectResult,
                          let data = result.serverReturnJsonString?.data(using: .utf8),
                          let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                    completion(.success(json))
                } else {
                    completion(.failure(UploadError.malformedAnswer))
                }
                return nil
            })
        } catch {
            completion(.failure(error))
        }
    }
}
