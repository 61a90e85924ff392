package de.pausenhof.client.support

import com.google.gson.JsonParser
import java.io.BufferedReader
import java.io.File
import java.util.concurrent.TimeUnit

/** One account of the seeded data set, as the test server prints it. */
data class Account(
    val username: String,
    val email: String,
    val password: String,
    val role: String,
    val mfaSecret: String?,
)

/**
 * `pausenhof-testserver` as a subprocess on a free loopback port. The binary
 * comes from the system property `pausenhof.testserver` (set by xtask).
 */
class TestServer private constructor(
    private val process: Process,
    val url: String,
    val accounts: List<Account>,
) : AutoCloseable {

    /** The first account of `role` without MFA. */
    fun plain(role: String): Account = accounts.first { it.role == role && it.mfaSecret == null }

    /** An account with MFA enabled. */
    fun withMfa(): Account = accounts.first { it.mfaSecret != null }

    /** host:port of the server, for a proxy in front of it. */
    val port: Int get() = url.substringAfterLast(':').trimEnd('/').toInt()

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    companion object {
        /** `extraArgs`: more flags of the binary, e.g. `--licensed`. */
        fun start(dataset: String = "small", seed: Int = 1, extraArgs: List<String> = emptyList()): TestServer {
            val binary = System.getProperty("pausenhof.testserver")
                ?: error("system property pausenhof.testserver is not set (run through cargo xtask)")
            check(File(binary).canExecute()) { "test server binary missing: $binary" }
            val process = ProcessBuilder(
                listOf(binary, "--listen", "127.0.0.1:0", "--dataset", dataset, "--seed", seed.toString()) + extraArgs,
            ).redirectError(ProcessBuilder.Redirect.INHERIT).start()
            val line = process.inputStream.bufferedReader().let(BufferedReader::readLine)
                ?: run {
                    process.destroyForcibly()
                    error("test server exited before printing its address")
                }
            val json = JsonParser.parseString(line).asJsonObject
            val accounts = json.getAsJsonArray("accounts").map { element ->
                val o = element.asJsonObject
                Account(
                    username = o["username"].asString,
                    email = o["email"].asString,
                    password = o["password"].asString,
                    role = o["role"].asString,
                    mfaSecret = o["mfa_secret"]?.takeUnless { it.isJsonNull }?.asString,
                )
            }
            return TestServer(process, json["url"].asString, accounts)
        }
    }
}
