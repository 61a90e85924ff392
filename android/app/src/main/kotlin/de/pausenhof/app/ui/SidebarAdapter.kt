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
import de.pausenhof.ffi.ChannelListItem
import de.pausenhof.ffi.SectionKind
import de.pausenhof.ffi.SidebarSection

/** The sidebar as rows: a header per section, then its channels. */
class SidebarAdapter(private val context: Context) : BaseAdapter() {
    sealed interface Row {
        data class Header(val title: String) : Row
        data class Channel(val item: ChannelListItem) : Row
    }

    var rows: List<Row> = emptyList()
        private set

    fun show(sections: List<SidebarSection>) {
        rows = sections.filter { it.channels.isNotEmpty() }.flatMap { section ->
            listOf<Row>(Row.Header(title(section))) + section.channels.map { Row.Channel(it) }
        }
        notifyDataSetChanged()
    }

    private fun title(section: SidebarSection): String = when (section.kind) {
        SectionKind.FAVORITES -> context.getString(R.string.section_favorites)
        SectionKind.CHANNELS -> context.getString(R.string.section_channels)
        SectionKind.DIRECT_MESSAGES -> context.getString(R.string.section_direct_messages)
        SectionKind.CUSTOM -> section.name
    }

    override fun getCount() = rows.size
    override fun getItem(position: Int): Row = rows[position]
    override fun getItemId(position: Int) = position.toLong()
    override fun getViewTypeCount() = 2
    override fun getItemViewType(position: Int) = if (rows[position] is Row.Header) 0 else 1
    override fun isEnabled(position: Int) = rows[position] is Row.Channel

    override fun getView(position: Int, convertView: View?, parent: ViewGroup): View =
        when (val row = rows[position]) {
            is Row.Header -> headerView(convertView as? TextView).apply { text = row.title }
            is Row.Channel -> channelView(convertView as? ChannelRow).apply { bind(row.item) }
        }

    private fun headerView(recycled: TextView?) = recycled ?: TextView(context).apply {
        val padding = dp(16)
        setPadding(padding, dp(12), padding, dp(4))
        setTextColor(context.colorOf(R.color.text_secondary))
        setTypeface(typeface, Typeface.BOLD)
        isAllCaps = true
        importantForAccessibility = View.IMPORTANT_FOR_ACCESSIBILITY_YES
        isFocusable = false
    }

    private fun channelView(recycled: ChannelRow?) = recycled ?: ChannelRow(context)

    private fun dp(value: Int) = (value * context.resources.displayMetrics.density).toInt()

    /** One channel: its name (bold when unread), a mention badge, dimmed when muted. */
    class ChannelRow(context: Context) : LinearLayout(context) {
        val name = TextView(context)
        val badge = TextView(context)

        init {
            orientation = HORIZONTAL
            gravity = Gravity.CENTER_VERTICAL
            val density = resources.displayMetrics.density
            minimumHeight = (48 * density).toInt()
            setPadding((16 * density).toInt(), 0, (16 * density).toInt(), 0)
            name.textSize = 16f
            addView(name, LayoutParams(0, LayoutParams.WRAP_CONTENT, 1f))
            badge.setTextColor(0xFFFFFFFF.toInt())
            badge.setBackgroundColor(context.colorOf(R.color.badge))
            badge.setPadding((6 * density).toInt(), 0, (6 * density).toInt(), 0)
            addView(badge, LayoutParams(LayoutParams.WRAP_CONTENT, LayoutParams.WRAP_CONTENT))
        }

        fun bind(item: ChannelListItem) {
            name.text = item.displayName.ifBlank { item.name }
            name.setTypeface(null, if (item.isUnread) Typeface.BOLD else Typeface.NORMAL)
            badge.text = item.mentionCount.toString()
            badge.visibility = if (item.mentionCount > 0) View.VISIBLE else View.GONE
            alpha = if (item.muted) 0.5f else 1f
            contentDescription = describe(item)
        }

        private fun describe(item: ChannelListItem): String {
            val states = buildList {
                if (item.isUnread) add(context.getString(R.string.channel_unread))
                if (item.mentionCount > 0) {
                    add(
                        context.resources.getQuantityString(
                            R.plurals.channel_mentions,
                            item.mentionCount.toInt(),
                            item.mentionCount.toInt(),
                        ),
                    )
                }
                if (item.muted) add(context.getString(R.string.channel_muted))
            }
            val name = item.displayName.ifBlank { item.name }
            return if (states.isEmpty()) name else context.getString(R.string.channel_row_description, name, states.joinToString(", "))
        }
    }
}
