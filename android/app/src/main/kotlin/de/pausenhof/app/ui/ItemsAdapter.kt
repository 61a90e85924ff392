package de.pausenhof.app.ui

import android.content.Context
import android.graphics.Typeface
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.BaseAdapter
import android.widget.LinearLayout
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.app.colorOf
import de.pausenhof.ffi.PostItem
import de.pausenhof.ffi.PostSendState
import de.pausenhof.ffi.TimelineItem
import de.pausenhof.ffi.TimelineItemKind
import de.pausenhof.ffi.plainTextOfMessage

/**
 * The core's timeline items as rows: day separators, the new-messages line,
 * system sentences and posts. Grouping, send states and texts all come
 * from the core; this only draws them.
 */
class ItemsAdapter(private val context: Context) : BaseAdapter() {
    private val renderer = MessageRenderer(context)
    private val emoji = HashMap<String, String>()

    var items: List<TimelineItem> = emptyList()
        private set

    fun show(items: List<TimelineItem>) {
        this.items = items
        notifyDataSetChanged()
    }

    fun post(position: Int): PostItem? = (items.getOrNull(position)?.kind as? TimelineItemKind.Post)?.post

    /** The posts' texts as drawn, oldest first. */
    fun messages(): List<String> = items.mapNotNull { (it.kind as? TimelineItemKind.Post)?.post?.plainText }

    /** The position of the newest post whose text is [text], or -1. */
    fun indexOfMessage(text: String): Int = items.indexOfLast { (it.kind as? TimelineItemKind.Post)?.post?.plainText == text }

    override fun getCount() = items.size
    override fun getItem(position: Int): TimelineItem = items[position]
    override fun getItemId(position: Int) = items[position].id.hashCode().toLong()
    override fun hasStableIds() = true
    override fun getViewTypeCount() = 2
    override fun getItemViewType(position: Int) = if (items[position].kind is TimelineItemKind.Post) 1 else 0
    override fun isEnabled(position: Int) = items[position].kind is TimelineItemKind.Post

    override fun getView(position: Int, convertView: View?, parent: ViewGroup): View =
        when (val kind = items[position].kind) {
            is TimelineItemKind.Post -> (convertView as? PostRow ?: PostRow()).apply { bind(kind.post) }
            is TimelineItemKind.DaySeparator -> note(convertView, kind.label, Gravity.CENTER, bold = true)
            is TimelineItemKind.NewMessages -> note(convertView, kind.label, Gravity.CENTER, bold = true).apply {
                setTextColor(context.colorOf(R.color.badge))
            }
            is TimelineItemKind.System -> note(convertView, "${kind.item.text}  ${kind.item.time}", Gravity.START, bold = false).apply {
                setTypeface(null, Typeface.ITALIC)
            }
        }

    private fun note(recycled: View?, text: String, gravity: Int, bold: Boolean): TextView {
        val view = recycled as? TextView ?: TextView(context).apply {
            val density = resources.displayMetrics.density
            setPadding((16 * density).toInt(), (8 * density).toInt(), (16 * density).toInt(), (8 * density).toInt())
        }
        view.text = text
        view.gravity = gravity
        view.setTextColor(context.colorOf(R.color.text_secondary))
        view.setTypeface(null, if (bold) Typeface.BOLD else Typeface.NORMAL)
        view.contentDescription = text
        return view
    }

    private fun emojiOf(name: String): String = emoji.getOrPut(name) { plainTextOfMessage(":$name:") }

    inner class PostRow : LinearLayout(context) {
        private val header = TextView(context)
        private val body = TextView(context)
        private val details = TextView(context)

        init {
            orientation = VERTICAL
            val density = resources.displayMetrics.density
            setPadding((16 * density).toInt(), (4 * density).toInt(), (16 * density).toInt(), (4 * density).toInt())
            header.setTypeface(null, Typeface.BOLD)
            body.textSize = 16f
            details.setTextColor(context.colorOf(R.color.text_secondary))
            addView(header)
            addView(body)
            addView(details)
        }

        fun bind(post: PostItem) {
            header.text = "${post.authorName.ifBlank { post.authorUsername }}  ${post.time}"
            header.visibility = if (post.grouped) View.GONE else View.VISIBLE
            body.text = if (post.deleted) post.plainText else renderer.render(post.text)
            body.setTypeface(null, if (post.emote || post.deleted) Typeface.ITALIC else Typeface.NORMAL)
            val notes = buildList {
                if (post.edited && !post.deleted) add(context.getString(R.string.post_edited))
                if (post.pinned) add(context.getString(R.string.post_pinned))
                if (post.files.isNotEmpty()) add(post.files.joinToString(", ") { it.name })
                if (post.reactions.isNotEmpty()) {
                    add(post.reactions.joinToString("  ") { "${emojiOf(it.emojiName)} ${it.count}" })
                }
                post.thread?.let { add(context.getString(R.string.post_replies, it.replyCount.toInt())) }
                when (val state = post.sendState) {
                    is PostSendState.Pending -> add(context.getString(R.string.post_pending))
                    is PostSendState.Failed -> add(context.getString(R.string.post_failed, state.explanation))
                    is PostSendState.Sent -> Unit
                }
            }
            details.text = notes.joinToString("  ·  ")
            details.visibility = if (notes.isEmpty()) View.GONE else View.VISIBLE
            contentDescription = listOf(header.text, post.plainText, details.text)
                .filter { it.isNotBlank() }.joinToString(". ")
        }
    }
}
