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
 */
class UploadCredentialProvider(
    private val apiBase: String,
    private val appToken: () -> String,
    private val access: String = "upload",
) : OSSFederationCredentialProvider() {

    companion object {
        const val TOKEN_PATH = "/token"
        const val TOKEN_METHOD = "POST"
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
        val connection = URL(apiBase.trimEnd('/') + TOKEN_PATH).openConnection() as HttpURLConnection
        try {
            connection.requestMethod = TOKEN_METHOD
            connection.connectTimeout = TIMEOUT_MS
            connection.readTimeout = TIMEOUT_MS
            connection.doOutput = true
            connection.setRequestProperty("Authorization", "Bearer " + appToken())
            connection.setRequestProperty("Content-Type", "application/json")
            connection.setRequestProperty("Accept", "application/json")
            val body = JSONObject().put("access", access).toString()
            connection.outputStream.use { it.write(body.toByteArray(Charsets.UTF_8)) }

            val status = connection.responseCode
            val stream = if (status in 200..299) connection.inputStream else connection.errorStream
            val text = stream?.bufferedReader(Charsets.UTF_8)?.use { it.readText() } ?: ""
            if (status !in 200..299) {
                // {"error":{"code","message","requestId"}}: never a secret, safe to log.
                val error = runCatching { JSONObject(text).getJSONObject("error") }.getOrNull()
                throw ClientException("POST /token answered $status ${error?.optString("code") ?: ""}: ${error?.optString("message") ?: ""}")
            }
            val json = JSONObject(text)
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
        } finally {
            connection.disconnect()
        }
    }
}

/** Where the credentials reach: every key they may write starts with [prefix]. */
data class TokenGrant(val bucket: String, val endpoint: String, val prefix: String)

/**
 * Uploads a file under the user's prefix with an upload callback, and returns the callback function's
 * JSON answer (key, size, etag, mimeType, user, url, expiresAt), which OSS relays as the upload's response.
 * Blocking: call it off the main thread.
 *
 * @param callbackUrl the callback function's URL from `s info -o json`
 */
fun uploadWithCallback(client: OSSClient, provider: UploadCredentialProvider, localPath: String, name: String, callbackUrl: String): JSONObject {
    // The first request makes the SDK fetch credentials; the grant says where they reach.
    val grant = provider.grant ?: run {
        provider.getValidFederationToken()
        provider.grant ?: throw ClientException("no token grant")
    }
    val put = PutObjectRequest(grant.bucket, grant.prefix + name, localPath)
    put.callbackParam = mapOf(
        "callbackUrl" to callbackUrl,
        "callbackBody" to CALLBACK_BODY,
        "callbackBodyType" to "application/x-www-form-urlencoded",
    )
    val result = client.putObject(put)
    return JSONObject(result.serverCallbackReturnBody)
}

/** OSS's own variables only: the callback function trusts nothing the client writes into the body. */
const val CALLBACK_BODY = "bucket=\${bucket}&object=\${object}&etag=\${etag}&size=\${size}&mimeType=\${mimeType}"
