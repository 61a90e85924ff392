package de.pausenhof.app.ui

import android.content.Context
import android.graphics.Typeface
import android.text.format.DateFormat
import android.view.View
import android.view.ViewGroup
import android.widget.BaseAdapter
import android.widget.LinearLayout
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.app.colorOf
import de.pausenhof.ffi.Post
import de.pausenhof.ffi.SendState
import java.util.Date

/** A channel's posts, oldest first, with the send state of the user's own unsent ones. */
class TimelineAdapter(private val context: Context) : BaseAdapter() {
    var posts: List<Post> = emptyList()
        private set
    private var sendStates: Map<String, SendState> = emptyMap()

    fun show(posts: List<Post>, sendStates: Map<String, SendState>) {
        this.posts = posts
        this.sendStates = sendStates
        notifyDataSetChanged()
    }

    fun sendState(post: Post): SendState? = sendStates[post.id]

    override fun getCount() = posts.size
    override fun getItem(position: Int): Post = posts[position]
    override fun getItemId(position: Int) = posts[position].id.hashCode().toLong()
    override fun hasStableIds() = true

    override fun getView(position: Int, convertView: View?, parent: ViewGroup): View {
        val row = convertView as? PostRow ?: PostRow(context)
        val post = posts[position]
        val previous = posts.getOrNull(position - 1)
        val grouped = previous != null && previous.userId == post.userId &&
            post.createAt - previous.createAt < GROUP_WINDOW_MS && previous.postType.isEmpty()
        row.bind(post, grouped, sendStates[post.id])
        return row
    }

    class PostRow(context: Context) : LinearLayout(context) {
        private val header = TextView(context)
        private val body = TextView(context)
        private val details = TextView(context)

        init {
            orientation = VERTICAL
            val density = resources.displayMetrics.density
            setPadding((16 * density).toInt(), (4 * density).toInt(), (16 * density).toInt(), (4 * density).toInt())
            header.setTypeface(null, Typeface.BOLD)
            body.textSize = 16f
            body.setTextIsSelectable(false)
            details.setTextColor(context.colorOf(R.color.text_secondary))
            addView(header)
            addView(body)
            addView(details)
        }

        fun bind(post: Post, grouped: Boolean, state: SendState?) {
            val time = DateFormat.getTimeFormat(context).format(Date(post.createAt))
            header.text = "${post.authorName.ifBlank { post.authorUsername }}  $time"
            header.visibility = if (grouped) View.GONE else View.VISIBLE
            body.text = when {
                post.deleted -> context.getString(R.string.post_deleted)
                else -> post.message
            }
            body.setTypeface(null, if (post.postType.isNotEmpty()) Typeface.ITALIC else Typeface.NORMAL)
            val notes = buildList {
                if (post.edited && !post.deleted) add(context.getString(R.string.post_edited))
                if (post.files.isNotEmpty()) add(context.getString(R.string.post_files, post.files.size))
                if (post.reactions.isNotEmpty()) {
                    add(post.reactions.joinToString("  ") { ":${it.emojiName}: ${it.count}" })
                }
                if (post.replyCount > 0) add(context.getString(R.string.post_replies, post.replyCount.toInt()))
                when (state) {
                    is SendState.Queued, is SendState.Sending -> add(context.getString(R.string.post_pending))
                    is SendState.Failed -> add(context.getString(R.string.post_failed, state.reason))
                    null -> Unit
                }
            }
            details.text = notes.joinToString("  ·  ")
            details.visibility = if (notes.isEmpty()) View.GONE else View.VISIBLE
            contentDescription = listOf(header.text, body.text, details.text)
                .filter { it.isNotBlank() }.joinToString(". ")
        }
    }

    private companion object {
        const val GROUP_WINDOW_MS = 5 * 60 * 1000L
    }
}
