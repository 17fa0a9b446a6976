// Android: STS credentials for the OSS Android SDK from this project's token function, and an upload
// whose answer is the callback function's. Needs com.aliyun.dpa:oss-android-sdk (2.9 or later) and the
// INTERNET permission. See docs/mobile.md.

package com.example.uploads

import com.alibaba.sdk.android.oss.ClientException
import com.alibaba.sdk.android.oss.OSSClient
import com.alibaba.sdk.android.oss.common.auth.OSSFederationCredentialProvider
import com.alibaba.sdk.android.oss.common.auth.OSSFederationToken
import com.alibaba.sdk.android.oss.model.PutObjectRequest
import org.json.JSONObject
import java.net.HttpURLConnection
import java.net.URL
import java.time.Instant

/**
 * Fetches credentials with `POST /token` and the app's own bearer token. The SDK calls
 * [getFederationToken] on a background thread whenever its cached credentials have less than
 * [SDK_REFRESH_WINDOW_SECONDS] left, so this class keeps no cache of its own.
 *
 * @param apiBase the token function's URL from `s info -o json` (or `https://<custom domain>/api`)
 * @param appToken returns the signed-in user's JWT (refreshed by your sign-in library)
 * @param access "upload", "download" or "readwrite"
 * @param signBase the sign function's URL from `s info -o json` (on a custom domain, the same as [apiBase])
 */
class UploadCredentialProvider(
    private val apiBase: String,
    private val appToken: () -> String,
    private val access: String = "upload",
    private val signBase: String = apiBase,
) : OSSFederationCredentialProvider() {

    companion object {
        const val TOKEN_PATH = "/token"
        const val SIGN_PATH = "/sign"
        const val API_METHOD = "POST"
        // OSSFederationCredentialProvider asks again when fewer than 5 minutes remain.
        const val SDK_REFRESH_WINDOW_SECONDS = 300L
        const val TIMEOUT_MS = 10_000
    }

    /** The bucket, endpoint and key prefix of the last answer, for building requests. */
    @Volatile
    var grant: TokenGrant? = null
        private set

    @Throws(ClientException::class)
    override fun getFederationToken(): OSSFederationToken {
        val json = post(apiBase, TOKEN_PATH, JSONObject().put("access", access))
        val expiration = json.getString("Expiration")
        grant = TokenGrant(
            bucket = json.getString("bucket"),
            endpoint = json.getString("endpoint"),
            prefix = json.getString("prefix"),
        )
        val secondsLeft = Instant.parse(expiration).epochSecond - Instant.now().epochSecond
        if (secondsLeft <= SDK_REFRESH_WINDOW_SECONDS) {
            // The SDK would ask again before its next request: a sign the device clock is wrong.
            throw ClientException("POST /token gave credentials with $secondsLeft s left; check the device clock")
        }
        return OSSFederationToken(
            json.getString("AccessKeyId"),
            json.getString("AccessKeySecret"),
            json.getString("SecurityToken"),
            expiration,
        )
    }

    /**
     * The upload callback `POST /sign {"op":"callback","key"}` pins for [key]: OSS's own variables and
     * a MAC that proves this project's sign function issued it for this key and user. The callback
     * function answers nothing to a callback without that MAC (OSS then answers the upload 203), so
     * take it from here for every key. Blocking: call it off the main thread.
     */
    @Throws(ClientException::class)
    fun pinnedCallback(key: String): Map<String, String> {
        val json = post(signBase, SIGN_PATH, JSONObject().put("op", "callback").put("key", key))
        val params = json.getJSONObject("callbackParams")
        return mapOf(
            "callbackUrl" to params.getString("callbackUrl"),
            "callbackBody" to params.getString("callbackBody"),
            "callbackBodyType" to params.getString("callbackBodyType"),
        )
    }

    /** One JSON request to a function with the app's bearer token; a 2xx answer's JSON, or a ClientException naming the error. */
    private fun post(base: String, path: String, body: JSONObject): JSONObject {
        val connection = URL(base.trimEnd('/') + path).openConnection() as HttpURLConnection
        try {
            connection.requestMethod = API_METHOD
            connection.connectTimeout = TIMEOUT_MS
            connection.readTimeout = TIMEOUT_MS
            connection.doOutput = true
            connection.setRequestProperty("Authorization", "Bearer " + appToken())
            connection.setRequestProperty("Content-Type", "application/json")
            connection.setRequestProperty("Accept", "application/json")
            connection.outputStream.use { it.write(body.toString().toByteArray(Charsets.UTF_8)) }

            val status = connection.responseCode
            val stream = if (status in 200..299) connection.inputStream else connection.errorStream
            val text = stream?.bufferedReader(Charsets.UTF_8)?.use { it.readText() } ?: ""
            if (status !in 200..299) {
                // {"error":{"code","message","requestId"}}: never a secret, safe to log.
                val error = runCatching { JSONObject(text).getJSONObject("error") }.getOrNull()
                throw ClientException("POST $path answered $status ${error?.optString("code") ?: ""}: ${error?.optString("message") ?: ""}")
            }
            return JSONObject(text)
        } finally {
            connection.disconnect()
        }
    }
}

/** Where the credentials reach: every key they may write starts with [prefix]. */
data class TokenGrant(val bucket: String, val endpoint: String, val prefix: String)

/**
 * Uploads a file under the user's prefix with the callback /sign pins for its key, and returns the
 * callback function's JSON answer (key, size, etag, mimeType, user, url, expiresAt), which OSS relays as
 * the upload's response. Blocking: call it off the main thread.
 */
fun uploadWithCallback(client: OSSClient, provider: UploadCredentialProvider, localPath: String, name: String): JSONObject {
    // The first request makes the SDK fetch credentials; the grant says where they reach.
    val grant = provider.grant ?: run {
        provider.getValidFederationToken()
        provider.grant ?: throw ClientException("no token grant")
    }
    val key = grant.prefix + name
    val put = PutObjectRequest(grant.bucket, key, localPath)
    put.callbackParam = provider.pinnedCallback(key)
    val result = client.putObject(put)
    return JSONObject(result.serverCallbackReturnBody)
}
