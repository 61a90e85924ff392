package de.pausenhof.app.ui

import android.content.Context
import de.pausenhof.app.colorOf
import android.graphics.Typeface
import android.view.View
import android.view.ViewGroup
import android.widget.BaseAdapter
import android.widget.LinearLayout
import android.widget.TextView
import de.pausenhof.app.R

/**
 * A list of found things (messages, channels, people) as a bold first line
 * and a grey second one; each row is at least 48dp high to be easy to tap.
 */
class TwoLineAdapter<T>(
    private val context: Context,
    private val title: (T) -> String,
    private val subtitle: (T) -> String,
) : BaseAdapter() {
    var items: List<T> = emptyList()
        private set

    fun show(items: List<T>) {
        this.items = items
        notifyDataSetChanged()
    }

    override fun getCount() = items.size
    override fun getItem(position: Int): T = items[position]
    override fun getItemId(position: Int) = position.toLong()

    override fun getView(position: Int, convertView: View?, parent: ViewGroup): View {
        val row = convertView as? Row ?: Row(context)
        row.bind(title(items[position]), subtitle(items[position]))
        return row
    }

    class Row(context: Context) : LinearLayout(context) {
        val first = TextView(context)
        val second = TextView(context)

        init {
            orientation = VERTICAL
            val density = resources.displayMetrics.density
            minimumHeight = (48 * density).toInt()
            setPadding((16 * density).toInt(), (8 * density).toInt(), (16 * density).toInt(), (8 * density).toInt())
            first.setTypeface(null, Typeface.BOLD)
            second.setTextColor(context.colorOf(R.color.text_secondary))
            addView(first)
            addView(second)
        }

        fun bind(title: String, subtitle: String) {
            first.text = title
            second.text = subtitle
            second.visibility = if (subtitle.isEmpty()) View.GONE else View.VISIBLE
            contentDescription = listOf(title, subtitle).filter { it.isNotBlank() }.joinToString(". ")
        }
    }
}
