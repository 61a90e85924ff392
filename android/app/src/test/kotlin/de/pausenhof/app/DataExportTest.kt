package de.pausenhof.app

import android.app.Activity
import android.content.Intent
import android.net.Uri
import android.widget.Button
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.SettingsActivity
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.OutputStream
import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowToast

/** Settings → Privacy → "Export my data" (GDPR Art. 20) into the file the user picks. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class DataExportTest : ScreenTest() {

    /** Taps export and answers the system's file picker with [target]. */
    private fun exportTo(target: Uri): SettingsActivity {
        val settings = launch<SettingsActivity>().get()
        settings.findViewById<Button>(R.id.settings_export).performClick()
        val picker = shadowOf(settings).nextStartedActivityForResult
        assertEquals(Intent.ACTION_CREATE_DOCUMENT, picker.intent.action)
        assertEquals("application/json", picker.intent.type)
        assertEquals(SettingsActivity.EXPORT_FILE_NAME, picker.intent.getStringExtra(Intent.EXTRA_TITLE))
        shadowOf(settings).receiveResult(picker.intent, Activity.RESULT_OK, Intent().setData(target))
        return settings
    }

    @Test
    fun the_export_lands_in_the_picked_file_as_json_with_the_users_own_data() {
        val student = server.plain("student")
        signIn(student)
        val target = Uri.parse("content://de.pausenhof.test.documents/export.json")
        val file = ByteArrayOutputStream()
        shadowOf(app.contentResolver).registerOutputStream(target, file)

        exportTo(target)
        waitUntil("the file is written and the user told") {
            ShadowToast.getTextOfLatestToast() == app.getString(R.string.settings_export_done)
        }
        val export = JSONObject(file.toString(Charsets.UTF_8.name()))
        assertTrue(export.toString().take(500), export.toString().contains(student.username))
    }

    @Test
    fun a_file_that_cannot_be_written_is_reported_and_nothing_claims_success() {
        signIn(server.plain("student"))
        val target = Uri.parse("content://de.pausenhof.test.documents/full-disk.json")
        shadowOf(app.contentResolver).registerOutputStream(
            target,
            object : OutputStream() {
                override fun write(b: Int) = throw IOException("no space left on device")
                override fun write(b: ByteArray, off: Int, len: Int) = throw IOException("no space left on device")
            },
        )

        exportTo(target)
        waitUntil("the failure is shown") {
            ShadowToast.getTextOfLatestToast() == app.getString(R.string.settings_export_failed)
        }
    }
}
