package de.pausenhof.app.ui

import android.app.Activity
import android.content.ActivityNotFoundException
import android.content.Intent
import android.net.Uri
import android.os.Handler
import android.os.Looper
import android.provider.OpenableColumns
import android.text.Editable
import android.text.TextWatcher
import android.text.format.Formatter
import android.view.View
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.AutocompleteItem
import de.pausenhof.ffi.Completion
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.CommandOutcome
import de.pausenhof.ffi.FileAttachment
import de.pausenhof.ffi.Submitted
import java.io.IOException
import java.io.InputStream
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * The composer of a channel or thread: what is typed is kept as the core's
 * draft (restored when the screen opens again, also after the app was
 * killed), the core suggests @people, ~channels and :emoji: for the word
 * at the cursor, and sending hands the text to the core, which tells a
 * slash command from a message. The school's netiquette points people to
 * `/mute`, `/leave` and friends, so their results are acted on here.
 * Files picked with the system's picker are uploaded at once and go with
 * the next message.
 */
class Composer(
    private val activity: Activity,
    private val scope: CoroutineScope,
    private val client: () -> Client,
    private val field: EditText,
    private val channelId: String,
    private val rootId: String,
    /** A slash command moved the user to another channel. */
    private val openChannel: (channelId: String) -> Unit = { id ->
        activity.startActivity(Intent(activity, ChannelActivity::class.java).putExtra(ChannelActivity.EXTRA_CHANNEL_ID, id))
        activity.finish()
    },
) {
    private val handler = Handler(Looper.getMainLooper())
    private val saveLater = Runnable { saveDraft() }
    private var restoring = false
    private var suggesting: Job? = null

    /** The suggestions for the word at the cursor; the screen puts it above the composer. */
    val suggestions = LinearLayout(activity).apply {
        id = R.id.composer_suggestions
        orientation = LinearLayout.VERTICAL
        visibility = View.GONE
    }

    /** The picked files, uploaded or uploading; the screen puts it above the composer. */
    val attachments = LinearLayout(activity).apply {
        id = R.id.composer_attachments
        orientation = LinearLayout.VERTICAL
        visibility = View.GONE
    }
    private val attached = mutableListOf<FileAttachment>()
    private val uploads = mutableListOf<Job>()

    init {
        field.addTextChangedListener(object : TextWatcher {
            override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) = Unit
            override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) = Unit
            override fun afterTextChanged(text: Editable?) {
                if (restoring) return
                if (!text.isNullOrEmpty()) runCatching { client().userTyping(channelId, rootId) }
                handler.removeCallbacks(saveLater)
                handler.postDelayed(saveLater, DRAFT_DELAY_MS)
                suggest()
            }
        })
    }

    /** Fills an empty composer with the saved draft (not over what Android restored). */
    suspend fun restoreDraft() {
        if (field.text.isNotEmpty()) return
        val draft = try {
            client().draft(channelId, rootId)
        } catch (failure: ClientException) {
            null
        } ?: return
        restoring = true
        field.setText(draft.message)
        field.setSelection(field.text.length)
        restoring = false
    }

    /** Keeps what is typed now, e.g. when the screen goes away. */
    fun saveDraft() {
        handler.removeCallbacks(saveLater)
        val text = field.text.toString()
        // Not the screen's scope: leaving the screen must not cancel the save.
        drafts.launch { runCatching { client().saveDraft(channelId, rootId, text) } }
    }

    fun send() {
        val text = field.text.toString().trim()
        if (text.isEmpty() && attachments.childCount == 0) return
        handler.removeCallbacks(saveLater)
        restoring = true
        field.text.clear()
        restoring = false
        scope.launch {
            // A message never leaves without the files shown with it.
            uploads.toList().joinAll()
            val files = attached.toList()
            try {
                if (files.isEmpty()) {
                    when (val submitted = client().submit(channelId, rootId, text)) {
                        is Submitted.Queued -> Unit
                        is Submitted.Command -> follow(submitted.outcome)
                    }
                } else {
                    client().sendPostWithFiles(channelId, rootId, text, files.map { it.id })
                    attached.clear()
                    attachments.removeAllViews()
                    attachments.visibility = View.GONE
                }
            } catch (failure: ClientException) {
                field.setText(text)
                Toast.makeText(activity, activity.describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    /** Opens the system's file picker (no storage permission needed). */
    fun pickFiles() {
        val pick = Intent(Intent.ACTION_OPEN_DOCUMENT)
            .addCategory(Intent.CATEGORY_OPENABLE)
            .setType("*/*")
            .putExtra(Intent.EXTRA_ALLOW_MULTIPLE, true)
        try {
            activity.startActivityForResult(pick, PICK_FILES)
        } catch (noPicker: ActivityNotFoundException) {
            say(activity.getString(R.string.attach_no_picker))
        }
    }

    /** The screen hands every result here; true when it was the picker's. */
    fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?): Boolean {
        if (requestCode != PICK_FILES) return false
        if (resultCode != Activity.RESULT_OK || data == null) return true
        val clips = data.clipData
        val picked = if (clips != null) (0 until clips.itemCount).map { clips.getItemAt(it).uri } else listOfNotNull(data.data)
        picked.forEach(::upload)
        return true
    }

    private fun upload(uri: Uri) {
        val resolver = activity.contentResolver
        val (name, size) = nameAndSize(uri)
        if (size != null && size > MAX_ATTACHMENT_BYTES) {
            say(activity.getString(R.string.attach_too_large, name, Formatter.formatShortFileSize(activity, MAX_ATTACHMENT_BYTES)))
            return
        }
        val mimeType = resolver.getType(uri) ?: "application/octet-stream"
        val row = TextView(activity).apply {
            text = activity.getString(R.string.attach_uploading, name)
            minHeight = (48 * activity.resources.displayMetrics.density).toInt()
            gravity = android.view.Gravity.CENTER_VERTICAL
        }
        attachments.addView(row)
        attachments.visibility = View.VISIBLE
        val job = scope.launch {
            try {
                val bytes = withContext(Dispatchers.IO) {
                    resolver.openInputStream(uri)?.use(::readCapped) ?: throw IOException("nothing to read")
                }
                if (bytes == null) {
                    say(activity.getString(R.string.attach_too_large, name, Formatter.formatShortFileSize(activity, MAX_ATTACHMENT_BYTES)))
                    attachments.removeView(row)
                    return@launch
                }
                val file = client().uploadFile(channelId, name, mimeType, bytes)
                attached += file
                row.text = activity.getString(R.string.attach_ready, file.name, Formatter.formatShortFileSize(activity, file.size))
                row.contentDescription = activity.getString(R.string.attach_remove, file.name)
                row.setOnClickListener {
                    attached.remove(file)
                    attachments.removeView(row)
                    if (attachments.childCount == 0) attachments.visibility = View.GONE
                }
            } catch (failure: ClientException) {
                attachments.removeView(row)
                say(activity.describe(failure))
            } catch (unreadable: IOException) {
                attachments.removeView(row)
                say(activity.getString(R.string.attach_unreadable, name))
            } catch (denied: SecurityException) {
                attachments.removeView(row)
                say(activity.getString(R.string.attach_unreadable, name))
            }
            if (attachments.childCount == 0) attachments.visibility = View.GONE
        }
        uploads += job
        job.invokeOnCompletion { handler.post { uploads.remove(job) } }
    }

    /** The name and size the picker's provider reports; the name falls back to the address's last part. */
    private fun nameAndSize(uri: Uri): Pair<String, Long?> {
        var name: String? = null
        var size: Long? = null
        try {
            activity.contentResolver.query(uri, arrayOf(OpenableColumns.DISPLAY_NAME, OpenableColumns.SIZE), null, null, null)?.use { row ->
                if (row.moveToFirst()) {
                    name = row.getString(0)
                    size = if (row.isNull(1)) null else row.getLong(1)
                }
            }
        } catch (denied: SecurityException) {
            // Read below fails the same way and says so.
        }
        return (name ?: uri.lastPathSegment ?: "file") to size
    }

    /** The whole file, or null past the limit (providers may not know the size beforehand). */
    private fun readCapped(input: InputStream): ByteArray? {
        val out = java.io.ByteArrayOutputStream()
        val buffer = ByteArray(64 * 1024)
        while (true) {
            val read = input.read(buffer)
            if (read < 0) return out.toByteArray()
            if (out.size() + read > MAX_ATTACHMENT_BYTES) return null
            out.write(buffer, 0, read)
        }
    }

    /** Asks the core about the word at the cursor; a newer keystroke cancels an older question. */
    private fun suggest() {
        suggesting?.cancel()
        val text = field.text.toString()
        // The core counts characters (code points), Java strings UTF-16 units.
        val cursor = text.codePointCount(0, field.selectionEnd.coerceIn(0, text.length))
        suggesting = scope.launch {
            val completion = try {
                client().autocomplete(channelId, text, cursor.toUInt())
            } catch (failure: ClientException) {
                null
            }
            showSuggestions(text, completion)
        }
    }

    private fun showSuggestions(typed: String, completion: Completion?) {
        suggestions.removeAllViews()
        val items = completion?.items.orEmpty().take(MAX_SUGGESTIONS)
        suggestions.visibility = if (items.isEmpty()) View.GONE else View.VISIBLE
        if (completion == null) return
        val density = activity.resources.displayMetrics.density
        items.forEach { item ->
            suggestions.addView(
                TextView(activity).apply {
                    text = if (item.detail.isBlank()) item.label else "${item.label}  ${item.detail}"
                    minHeight = (48 * density).toInt()
                    gravity = android.view.Gravity.CENTER_VERTICAL
                    setPadding((16 * density).toInt(), 0, (16 * density).toInt(), 0)
                    setOnClickListener { choose(typed, completion, item) }
                },
            )
        }
    }

    private fun choose(text: String, completion: Completion, item: AutocompleteItem) {
        if (field.text.toString() != text) return
        val start = text.offsetByCodePoints(0, completion.start.toInt())
        val end = text.offsetByCodePoints(0, completion.end.toInt())
        // The core's insert text ends with the space that follows a finished word.
        val inserted = if (item.insertText.endsWith(' ')) item.insertText else item.insertText + " "
        val replaced = text.substring(0, start) + inserted + text.substring(end)
        field.setText(replaced)
        field.setSelection((start + inserted.length).coerceAtMost(replaced.length))
    }

    private fun follow(outcome: CommandOutcome) {
        when (outcome) {
            is CommandOutcome.Done -> say(outcome.message)
            is CommandOutcome.OpenChannel -> {
                say(outcome.message)
                if (outcome.channelId != channelId) openChannel(outcome.channelId)
            }
            is CommandOutcome.OpenLink -> activity.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(outcome.url)))
            is CommandOutcome.Search -> activity.startActivity(
                Intent(activity, SearchActivity::class.java).putExtra(SearchActivity.EXTRA_TERMS, outcome.terms),
            )
        }
    }

    private fun say(message: String) {
        if (message.isNotBlank()) Toast.makeText(activity, message, Toast.LENGTH_LONG).show()
    }

    private companion object {
        const val PICK_FILES = 7301

        /**
         * A file is held in memory once while it uploads: this keeps that
         * within what a 1 GB phone can spare (the server may allow more).
         */
        const val MAX_ATTACHMENT_BYTES = 50L * 1024 * 1024
        const val DRAFT_DELAY_MS = 600L
        const val MAX_SUGGESTIONS = 5
        val drafts = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    }
}
