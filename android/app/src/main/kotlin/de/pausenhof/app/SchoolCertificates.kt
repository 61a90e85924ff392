package de.pausenhof.app

import android.content.Context
import java.io.File

/**
 * Root certificates the user added for a school's own certificate authority,
 * kept as files in the app's private folder and handed to the core.
 */
class SchoolCertificates(context: Context) {
    private val folder = File(context.filesDir, "school-certificates")

    fun all(): List<ByteArray> =
        folder.listFiles()?.sortedBy { it.name }?.map { it.readBytes() } ?: emptyList()

    /** Keeps one certificate (PEM or DER, as the user picked it). */
    fun add(bytes: ByteArray) {
        require(bytes.isNotEmpty() && bytes.size <= MAX_SIZE) { "not a certificate file" }
        folder.mkdirs()
        File(folder, "ca-${System.currentTimeMillis()}.crt").writeBytes(bytes)
    }

    private companion object {
        const val MAX_SIZE = 64 * 1024
    }
}
