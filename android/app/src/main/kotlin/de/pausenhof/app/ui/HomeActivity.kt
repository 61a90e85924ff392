package de.pausenhof.app.ui

import android.content.Intent
import android.graphics.Typeface
import android.os.Bundle
import android.view.Menu
import android.view.MenuItem
import android.view.Gravity
import android.view.View
import android.widget.FrameLayout
import android.widget.HorizontalScrollView
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.app.colorOf
import de.pausenhof.client.connectionStates
import de.pausenhof.client.observeChannelList
import de.pausenhof.client.sessionStates
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ConnectionState
import de.pausenhof.ffi.SessionState
import de.pausenhof.ffi.Team
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.collectLatest

/**
 * The team switcher with unread badges, the sidebar of the chosen team, and
 * the connection state. Everything shown comes from the store, so it works
 * offline; a sync runs at start and on "Refresh". On a tablet the chosen
 * conversation shows beside the sidebar; on a phone it opens a screen of
 * its own.
 */
class HomeActivity : ConversationScreen() {
    private lateinit var banner: TextView
    private lateinit var teamBar: LinearLayout
    private lateinit var sidebar: ListView
    private lateinit var adapter: SidebarAdapter
    private var teams: List<Team> = emptyList()
    private var teamId: String? = null
    private var sidebarJob: Job? = null
    private val twoPanes: Boolean get() = resources.getBoolean(R.bool.two_panes)
    private var conversation: FrameLayout? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        teamId = savedInstanceState?.getString(STATE_TEAM)
        banner = TextView(this).apply {
            id = R.id.home_banner
            setBackgroundColor(colorOf(R.color.banner_offline))
            val padding = (12 * resources.displayMetrics.density).toInt()
            setPadding(padding, padding, padding, padding)
            accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
            visibility = View.GONE
        }
        teamBar = LinearLayout(this).apply { id = R.id.home_teams }
        adapter = SidebarAdapter(this)
        sidebar = ListView(this).apply {
            id = R.id.home_sidebar
            adapter = this@HomeActivity.adapter
            emptyView = null
            setOnItemClickListener { _, _, position, _ ->
                val row = this@HomeActivity.adapter.getItem(position) as? SidebarAdapter.Row.Channel
                row?.let { openChannel(it.item.id, it.item.displayName) }
            }
        }
        val navigation = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            addView(banner)
            addView(HorizontalScrollView(this@HomeActivity).apply { addView(teamBar) })
            addView(sidebar, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
        }
        if (twoPanes) {
            val right = FrameLayout(this).apply { id = R.id.home_conversation }
            conversation = right
            showNoConversation()
            setContentView(
                LinearLayout(this).apply {
                    orientation = LinearLayout.HORIZONTAL
                    addView(navigation, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.MATCH_PARENT, 1f))
                    addView(right, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.MATCH_PARENT, 2f))
                },
            )
        } else {
            setContentView(navigation)
        }
        try {
            client.startRealtime()
        } catch (failure: ClientException) {
            return startOver()
        }
        launch {
            try {
                Notifications.follow(this@HomeActivity, client)
            } catch (failure: ClientException) {
                // Shown again on the next start; the app works without.
            }
        }
        launch { client.sessionStates().collectLatest(::onSessionState) }
        launch { client.connectionStates().collectLatest(::onConnectionState) }
        savedInstanceState?.getString(STATE_CHANNEL)?.let { showChannel(it, savedInstanceState.getString(STATE_CHANNEL_NAME).orEmpty()) }
        launch {
            refreshTeams()
            sync()
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putString(STATE_TEAM, teamId)
        pane?.let {
            outState.putString(STATE_CHANNEL, it.channelId)
            outState.putString(STATE_CHANNEL_NAME, title.toString())
        }
    }

    override fun onCreateOptionsMenu(menu: Menu): Boolean {
        menu.add(Menu.NONE, R.id.menu_sync, Menu.NONE, R.string.home_sync)
        menu.add(Menu.NONE, R.id.menu_threads, Menu.NONE, R.string.home_threads)
        menu.add(Menu.NONE, R.id.menu_search, Menu.NONE, R.string.home_search)
        menu.add(Menu.NONE, R.id.menu_browse, Menu.NONE, R.string.home_browse)
        menu.add(Menu.NONE, R.id.menu_people, Menu.NONE, R.string.home_people)
        menu.add(Menu.NONE, R.id.menu_status, Menu.NONE, R.string.home_status)
        menu.add(Menu.NONE, R.id.menu_settings, Menu.NONE, R.string.home_settings)
        pane?.addMenuItems(menu)
        return true
    }

    override fun onOptionsItemSelected(item: MenuItem): Boolean = if (pane?.onMenuItem(item) == true) true else when (item.itemId) {
        R.id.menu_sync -> {
            launch { sync() }
            true
        }
        R.id.menu_threads -> {
            teamId?.let {
                startActivity(Intent(this, ThreadsActivity::class.java).putExtra(ThreadsActivity.EXTRA_TEAM_ID, it))
            }
            true
        }
        R.id.menu_search -> {
            startActivity(Intent(this, SearchActivity::class.java))
            true
        }
        R.id.menu_browse -> {
            teamId?.let {
                startActivity(
                    Intent(this, ChannelBrowserActivity::class.java).putExtra(ChannelBrowserActivity.EXTRA_TEAM_ID, it),
                )
            }
            true
        }
        R.id.menu_people -> {
            startActivity(Intent(this, PeopleActivity::class.java))
            true
        }
        R.id.menu_status -> {
            startActivity(Intent(this, StatusActivity::class.java))
            true
        }
        R.id.menu_settings -> {
            startActivity(Intent(this, SettingsActivity::class.java))
            true
        }
        else -> super.onOptionsItemSelected(item)
    }

    private suspend fun sync() {
        try {
            client.sync()
            // Drafts written on another device; the core's sync leaves them out.
            runCatching { client.syncDrafts() }
            // The channels read every day, so that they read in a tunnel too.
            launch { runCatching { client.prefetchForOffline() } }
        } catch (failure: ClientException) {
            if (failure !is ClientException.Offline && failure !is ClientException.Network) {
                banner.text = describe(failure)
                banner.visibility = View.VISIBLE
            }
        }
        refreshTeams()
    }

    private suspend fun refreshTeams() {
        teams = try {
            client.teams()
        } catch (failure: ClientException) {
            return
        }
        if (teamId == null || teams.none { it.id == teamId }) teamId = teams.firstOrNull()?.id
        drawTeams()
        watchSidebar()
    }

    private fun drawTeams() {
        teamBar.removeAllViews()
        teams.forEach { team ->
            teamBar.addView(
                TextView(this).apply {
                    val padding = (16 * resources.displayMetrics.density).toInt()
                    setPadding(padding, padding / 2, padding, padding / 2)
                    minHeight = (48 * resources.displayMetrics.density).toInt()
                    text = if (team.mentionCount > 0) {
                        getString(R.string.team_mentions, team.displayName, team.mentionCount.toInt())
                    } else {
                        team.displayName
                    }
                    setTypeface(null, if (team.hasUnread || team.mentionCount > 0) Typeface.BOLD else Typeface.NORMAL)
                    isSelected = team.id == teamId
                    if (isSelected) setBackgroundColor(colorOf(R.color.banner_offline))
                    setOnClickListener { chooseTeam(team.id) }
                },
            )
        }
    }

    private fun chooseTeam(id: String) {
        if (id == teamId) return
        teamId = id
        drawTeams()
        watchSidebar()
    }

    private var watchedTeam: String? = null

    private fun watchSidebar() {
        val id = teamId ?: return
        if (id == watchedTeam && sidebarJob?.isActive == true) return
        watchedTeam = id
        sidebarJob?.cancel()
        sidebarJob = launch {
            client.observeChannelList(id).collectLatest { sections ->
                adapter.show(sections)
                // Left here, on another device or from the info screen: nothing left to show.
                val shown = pane?.channelId
                if (shown != null && sections.none { section -> section.channels.any { it.id == shown } }) channelLeft()
                // Unread badges of the other teams follow the same changes.
                teams = try { client.teams() } catch (failure: ClientException) { teams }
                drawTeams()
            }
        }
    }

    private fun onConnectionState(state: ConnectionState) {
        val text = when (state) {
            is ConnectionState.Connected, is ConnectionState.Stopped -> null
            is ConnectionState.Connecting -> getString(R.string.home_connecting)
            is ConnectionState.WaitingToReconnect -> getString(R.string.home_reconnecting)
            is ConnectionState.Offline -> getString(R.string.home_offline)
            is ConnectionState.SessionExpired -> getString(R.string.home_session_expired)
        }
        banner.text = text
        banner.visibility = if (text == null) View.GONE else View.VISIBLE
    }

    private fun onSessionState(state: SessionState) {
        when (state) {
            is SessionState.SignedOut -> startOver()
            is SessionState.Expired -> {
                banner.setText(R.string.home_session_expired)
                banner.visibility = View.VISIBLE
                banner.setOnClickListener {
                    startActivity(
                        Intent(this, SignInActivity::class.java)
                            .putExtra(SignInActivity.EXTRA_SERVER_URL, client.serverUrl()),
                    )
                }
            }
            is SessionState.SignedIn -> Unit
        }
    }

    private fun openChannel(channelId: String, name: String) {
        if (twoPanes) return showChannel(channelId, name)
        startActivity(
            Intent(this, ChannelActivity::class.java)
                .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channelId)
                .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, name),
        )
    }

    override fun showChannel(channelId: String, name: String) {
        val right = conversation ?: return openChannel(channelId, name)
        if (pane?.channelId == channelId) return
        pane?.close()
        val shown = ConversationPane(this, this, channelId)
        pane = shown
        right.removeAllViews()
        right.addView(shown.view)
        title = name
        if (name.isBlank()) {
            launch { runCatching { client.channelInfo(channelId) }.getOrNull()?.let { title = it.summary.displayName } }
        }
        invalidateOptionsMenu()
        shown.start()
    }

    override fun channelLeft() {
        pane?.close()
        pane = null
        showNoConversation()
        invalidateOptionsMenu()
    }

    private fun showNoConversation() {
        setTitle(R.string.app_name)
        conversation?.apply {
            removeAllViews()
            addView(
                TextView(this@HomeActivity).apply {
                    id = R.id.home_no_conversation
                    setText(R.string.home_choose_channel)
                    gravity = Gravity.CENTER
                },
                FrameLayout.LayoutParams(FrameLayout.LayoutParams.MATCH_PARENT, FrameLayout.LayoutParams.MATCH_PARENT),
            )
        }
    }

    private companion object {
        const val STATE_TEAM = "team"
        const val STATE_CHANNEL = "channel"
        const val STATE_CHANNEL_NAME = "channel_name"
    }
}
