package de.pausenhof.app.ui

import android.app.Activity
import android.content.Intent
import android.net.Uri
import android.os.Handler
import android.os.Looper
import android.text.Editable
import android.text.TextWatcher
import android.widget.EditText
import android.widget.Toast
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.CommandOutcome
import de.pausenhof.ffi.Submitted
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch

/**
 * The composer of a channel or thread: what is typed is kept as the core's
 * draft (restored when the screen opens again, also after the app was
 * killed), and sending hands the text to the core, which tells a slash
 * command from a message. The school's netiquette points people to
 * `/mute`, `/leave` and friends, so their results are acted on here.
 */
class Composer(
    private val activity: Activity,
    private val scope: CoroutineScope,
    private val client: () -> Client,
    private val field: EditText,
    private val channelId: String,
    private val rootId: String,
) {
    private val handler = Handler(Looper.getMainLooper())
    private val saveLater = Runnable { saveDraft() }
    private var restoring = false

    init {
        field.addTextChangedListener(object : TextWatcher {
            override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) = Unit
            override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) = Unit
            override fun afterTextChanged(text: Editable?) {
                if (restoring) return
                if (!text.isNullOrEmpty()) runCatching { client().userTyping(channelId, rootId) }
                handler.removeCallbacks(saveLater)
                handler.postDelayed(saveLater, DRAFT_DELAY_MS)
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
        if (text.isEmpty()) return
        handler.removeCallbacks(saveLater)
        restoring = true
        field.text.clear()
        restoring = false
        scope.launch {
            try {
                when (val submitted = client().submit(channelId, rootId, text)) {
                    is Submitted.Queued -> Unit
                    is Submitted.Command -> follow(submitted.outcome)
                }
            } catch (failure: ClientException) {
                field.setText(text)
                Toast.makeText(activity, activity.describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    private fun follow(outcome: CommandOutcome) {
        when (outcome) {
            is CommandOutcome.Done -> say(outcome.message)
            is CommandOutcome.OpenChannel -> {
                say(outcome.message)
                if (outcome.channelId != channelId) {
                    activity.startActivity(
                        Intent(activity, ChannelActivity::class.java)
                            .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, outcome.channelId),
                    )
                    activity.finish()
                }
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
        const val DRAFT_DELAY_MS = 600L
        val drafts = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    }
}
