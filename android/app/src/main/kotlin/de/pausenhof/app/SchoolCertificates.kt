package de.pausenhof.app

import android.content.Context
import java.io.File
import java.security.MessageDigest
import java.security.cert.CertificateException
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate

/**
 * Root certificates the user added for a school's own certificate authority,
 * kept as files in the app's private folder and handed to the core.
 */
class SchoolCertificates(context: Context) {
    private val folder = File(context.filesDir, "school-certificates")

    fun all(): List<ByteArray> =
        folder.listFiles()?.sortedBy { it.name }?.map { it.readBytes() } ?: emptyList()

    /** Keeps one certificate (PEM or DER, as the user picked it), checked by [parse] first. */
    fun add(bytes: ByteArray) {
        requireNotNull(parse(bytes)) { "not a certificate file" }
        folder.mkdirs()
        File(folder, "ca-${System.currentTimeMillis()}.crt").writeBytes(bytes)
    }

    companion object {
        const val MAX_SIZE = 64 * 1024

        /**
         * The certificate in a picked file, or null: a file the core could
         * not read must never be kept, or every later start would fail.
         */
        fun parse(bytes: ByteArray): X509Certificate? {
            if (bytes.isEmpty() || bytes.size > MAX_SIZE) return null
            return try {
                CertificateFactory.getInstance("X.509").generateCertificate(bytes.inputStream()) as? X509Certificate
            } catch (notACertificate: CertificateException) {
                null
            }
        }

        /** The SHA-256 fingerprint as schools print it: hex pairs, colon-separated. */
        fun fingerprint(certificate: X509Certificate): String =
            MessageDigest.getInstance("SHA-256").digest(certificate.encoded)
                .joinToString(":") { "%02X".format(it) }
    }
}
