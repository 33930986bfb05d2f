use super::*;

const BASE: &str = "https://loggia.example";

fn alice() -> ResolvedMention {
    ResolvedMention {
        username: "alice".into(),
        domain: None,
        url: "https://loggia.example/@alice".into(),
        display_username: "alice".into(),
    }
}

fn bob() -> ResolvedMention {
    ResolvedMention {
        username: "bob".into(),
        domain: Some("partner.example".into()),
        url: "https://partner.example/@bob".into(),
        display_username: "bob".into(),
    }
}

fn plain(text: &str) -> String {
    render(text, &[], BASE)
}

fn mention(username: &str, domain: Option<&str>) -> MentionRef {
    MentionRef {
        username: username.into(),
        domain: domain.map(Into::into),
    }
}

const ALICE_HTML: &str = r#"<span class="h-card" translate="no"><a href="https://loggia.example/@alice" class="u-url mention">@<span>alice</span></a></span>"#;
const BOB_HTML: &str = r#"<span class="h-card" translate="no"><a href="https://partner.example/@bob" class="u-url mention">@<span>bob</span></a></span>"#;
const SHORT_LINK_HTML: &str = r#"<a href="https://example.com/short" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span><span class="">example.com/short</span><span class="invisible"></span></a>"#;

// ---- paragraphs, line breaks, escaping ----

#[test]
fn single_line_is_one_paragraph() {
    assert_eq!(plain("Hello world"), "<p>Hello world</p>");
}

#[test]
fn blank_lines_split_paragraphs_and_newlines_become_br() {
    assert_eq!(
        plain("one\ntwo\n\nthree\n\n\n\nfour"),
        "<p>one<br />two</p><p>three</p><p>four</p>"
    );
}

#[test]
fn crlf_is_normalised() {
    assert_eq!(plain("a\r\nb\r\n\r\nc"), "<p>a<br />b</p><p>c</p>");
}

#[test]
fn surrounding_whitespace_is_stripped() {
    assert_eq!(plain("\n\n  hello\n\n"), "<p>hello</p>");
    assert_eq!(plain("a\n\n\nb"), "<p>a</p><p>b</p>");
}

#[test]
fn line_with_only_spaces_does_not_split_paragraphs() {
    assert_eq!(plain("a\n \nb"), "<p>a<br /> <br />b</p>");
}

#[test]
fn empty_or_blank_text_renders_nothing() {
    assert_eq!(plain(""), "");
    assert_eq!(plain("  \n\n \t "), "");
}

#[test]
fn html_is_escaped() {
    assert_eq!(
        plain("<script>alert(\"x\") & 'y'</script>"),
        "<p>&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;</p>"
    );
}

// ---- links ----

#[test]
fn short_link_exact_html() {
    assert_eq!(
        plain("see https://example.com/short"),
        format!("<p>see {SHORT_LINK_HTML}</p>")
    );
}

#[test]
fn long_link_is_shortened_with_ellipsis() {
    let url = "https://www.example.com/a/very/long/path/that/goes/on/and/on";
    let expected = format!(
        r#"<p><a href="{url}" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://www.</span><span class="ellipsis">example.com/a/very/long/path/t</span><span class="invisible">hat/goes/on/and/on</span></a></p>"#
    );
    assert_eq!(plain(url), expected);
}

/// `http://example.com/` followed by digits, `len` characters after the scheme.
fn link_of(len: usize) -> String {
    let digits: String = "1234567890".chars().cycle().take(len - 12).collect();
    format!("http://example.com/{digits}")
}

#[test]
fn link_of_exactly_thirty_characters_has_no_ellipsis() {
    assert!(plain(&link_of(30)).contains(
        r#"<span class="invisible">http://</span><span class="">example.com/123456789012345678</span><span class="invisible"></span>"#
    ));
}

#[test]
fn link_one_character_too_long_is_shown_whole() {
    assert!(plain(&link_of(31)).contains(
        r#"<span class="">example.com/1234567890123456789</span><span class="invisible"></span>"#
    ));
    assert!(plain(&link_of(32)).contains(
        r#"<span class="ellipsis">example.com/123456789012345678</span><span class="invisible">90</span>"#
    ));
}

#[test]
fn link_href_is_escaped() {
    let html = plain("https://example.com/?a=1&b='2'");
    assert!(
        html.contains(r#"href="https://example.com/?a=1&amp;b=&#39;2""#),
        "{html}"
    );
}

#[test]
fn trailing_period_is_not_part_of_link() {
    assert_eq!(
        plain("Read https://example.com/short."),
        format!("<p>Read {SHORT_LINK_HTML}.</p>")
    );
    assert_eq!(
        parse("go to https://example.com/x?!").links,
        ["https://example.com/x"]
    );
}

#[test]
fn balanced_parentheses_stay_in_link() {
    let parsed = parse("see https://en.wikipedia.org/wiki/Rust_(language) now");
    assert_eq!(
        parsed.links,
        ["https://en.wikipedia.org/wiki/Rust_(language)"]
    );
}

#[test]
fn unbalanced_closing_parenthesis_is_dropped() {
    let parsed = parse("(see https://example.com/short).");
    assert_eq!(parsed.links, ["https://example.com/short"]);
    assert_eq!(
        plain("(see https://example.com/short)"),
        format!("<p>(see {SHORT_LINK_HTML})</p>")
    );
    let wiki = parse("(https://en.wikipedia.org/wiki/Rust_(language))");
    assert_eq!(
        wiki.links,
        ["https://en.wikipedia.org/wiki/Rust_(language)"]
    );
}

#[test]
fn only_http_and_https_are_links() {
    assert!(
        parse("ftp://example.com mailto:a@b.example javascript:alert(1)")
            .links
            .is_empty()
    );
    assert_eq!(plain("ftp://example.com"), "<p>ftp://example.com</p>");
}

#[test]
fn invalid_urls_are_not_links() {
    assert!(parse("https:// and http://").links.is_empty());
    assert!(parse("xhttps://example.com").links.is_empty());
}

#[test]
fn links_are_deduplicated() {
    let parsed = parse("https://a.example/ and https://b.example/ and https://a.example/");
    assert_eq!(parsed.links, ["https://a.example/", "https://b.example/"]);
}

#[test]
fn link_ends_at_angle_bracket() {
    assert_eq!(
        parse("<https://example.com/short>").links,
        ["https://example.com/short"]
    );
}

// ---- mentions ----

#[test]
fn local_mention_exact_html() {
    assert_eq!(
        render("hi @alice!", &[alice()], BASE),
        format!("<p>hi {ALICE_HTML}!</p>")
    );
}

#[test]
fn mention_matches_case_insensitively() {
    assert_eq!(
        render("@ALICE", &[alice()], BASE),
        format!("<p>{ALICE_HTML}</p>")
    );
}

#[test]
fn mention_with_local_domain_is_local() {
    assert_eq!(
        render("@alice@loggia.example", &[alice()], BASE),
        format!("<p>{ALICE_HTML}</p>")
    );
}

#[test]
fn remote_mention_exact_html() {
    assert_eq!(
        render("@bob@Partner.Example: hello", &[alice(), bob()], BASE),
        format!("<p>{BOB_HTML}: hello</p>")
    );
}

#[test]
fn remote_mention_does_not_match_local_account_of_same_name() {
    let html = render("@alice@partner.example", &[alice()], BASE);
    assert_eq!(html, "<p>@alice@partner.example</p>");
}

#[test]
fn bare_mention_does_not_match_remote_account() {
    assert_eq!(render("@bob", &[bob()], BASE), "<p>@bob</p>");
}

#[test]
fn unresolved_mention_stays_text() {
    assert_eq!(
        render("hey @carol & co", &[alice()], BASE),
        "<p>hey @carol &amp; co</p>"
    );
}

#[test]
fn parse_finds_local_and_remote_mentions() {
    let parsed = parse("@alice and @bob@Partner.Example. Also @Alice again");
    assert_eq!(
        parsed.mentions,
        [
            mention("alice", None),
            mention("bob", Some("partner.example"))
        ]
    );
}

#[test]
fn email_addresses_are_not_mentions() {
    let parsed = parse("write to alice@example.com or bob.smith@example.com");
    assert!(parsed.mentions.is_empty());
    assert_eq!(
        render("alice@example.com", &[alice()], BASE),
        "<p>alice@example.com</p>"
    );
}

#[test]
fn mention_username_and_domain_edges() {
    assert_eq!(parse("@alice.").mentions, [mention("alice", None)]);
    assert_eq!(parse("@a.b-c_d").mentions, [mention("a.b-c_d", None)]);
    assert_eq!(
        parse("cc @bob@partner.example.").mentions,
        [mention("bob", Some("partner.example"))]
    );
    assert_eq!(
        parse("@bob@localhost:3000 hi").mentions,
        [mention("bob", Some("localhost:3000"))]
    );
    assert!(parse("@.alice @ alice").mentions.is_empty());
}

#[test]
fn mentions_in_urls_or_glued_are_not_mentions() {
    assert!(parse("a/@alice x.@alice @@alice").mentions.is_empty());
    assert!(parse("@alice@").mentions.is_empty());
    let parsed = parse("https://example.com/@alice");
    assert!(parsed.mentions.is_empty());
    assert_eq!(parsed.links, ["https://example.com/@alice"]);
}

#[test]
fn mention_after_punctuation() {
    assert_eq!(parse("(@alice)").mentions, [mention("alice", None)]);
    assert_eq!(
        render("(@alice)", &[alice()], BASE),
        format!("<p>({ALICE_HTML})</p>")
    );
}

// ---- hashtags ----

#[test]
fn hashtag_exact_html() {
    assert_eq!(
        plain("I love #Rust"),
        r#"<p>I love <a href="https://loggia.example/tags/rust" class="mention hashtag" rel="tag">#<span>Rust</span></a></p>"#
    );
}

#[test]
fn hashtag_with_trailing_slash_base_and_unicode() {
    let html = render("#Café", &[], "https://loggia.example/");
    assert_eq!(
        html,
        r#"<p><a href="https://loggia.example/tags/caf%C3%A9" class="mention hashtag" rel="tag">#<span>Café</span></a></p>"#
    );
}

#[test]
fn numeric_hashtags_are_not_hashtags() {
    assert!(parse("#123 #1_2").hashtags.is_empty());
    assert_eq!(plain("#123"), "<p>#123</p>");
    assert_eq!(parse("#2024goals").hashtags, ["2024goals"]);
}

#[test]
fn names_are_checked_as_posts_spell_hashtags() {
    assert!(is_hashtag("Rust") && is_hashtag("2024goals") && is_hashtag("café_crème"));
    assert!(!is_hashtag("") && !is_hashtag("123") && !is_hashtag("two words"));
    assert!(!is_hashtag("#rust") && !is_hashtag("a-b") && !is_hashtag(&"a".repeat(101)));
}

#[test]
fn url_fragment_is_not_a_hashtag() {
    let parsed = parse("https://x.example/#frag");
    assert!(parsed.hashtags.is_empty());
    assert_eq!(parsed.links, ["https://x.example/#frag"]);
    let parsed = parse("https://x.example/page#frag");
    assert!(parsed.hashtags.is_empty());
}

#[test]
fn glued_hashtags_and_entities_are_not_hashtags() {
    assert!(parse("a#b x/#y &#39; ##z").hashtags.is_empty());
}

#[test]
fn hashtags_are_deduplicated_case_insensitively() {
    let parsed = parse("#Rust #rust #Fediverse #RUST #fediverse");
    assert_eq!(parsed.hashtags, ["Rust", "Fediverse"]);
}

#[test]
fn hashtag_ends_at_punctuation() {
    assert_eq!(parse("(#rust, #go.)").hashtags, ["rust", "go"]);
}

#[test]
fn overlong_hashtags_are_ignored() {
    let long = format!("#{}", "a".repeat(101));
    assert!(parse(&long).hashtags.is_empty());
    let max = format!("#{}", "a".repeat(100));
    assert_eq!(parse(&max).hashtags.len(), 1);
}

#[test]
fn hindi_hashtag_keeps_its_virama() {
    assert_eq!(parse("#हिन्दी").hashtags, ["हिन्दी"]);
}

// ---- everything together ----

#[test]
fn mixed_post() {
    let html = render(
        "Hi @alice, see https://example.com/short #News\n\n— @bob@partner.example",
        &[alice(), bob()],
        BASE,
    );
    let tag = r#"<a href="https://loggia.example/tags/news" class="mention hashtag" rel="tag">#<span>News</span></a>"#;
    assert_eq!(
        html,
        format!("<p>Hi {ALICE_HTML}, see {SHORT_LINK_HTML} {tag}</p><p>— {BOB_HTML}</p>")
    );
}

// ---- length ----

#[test]
fn count_chars_plain_text_counts_scalar_values() {
    assert_eq!(count_chars("héllo ✨"), 7);
    assert_eq!(count_chars("  padded \n"), 6);
}

#[test]
fn count_chars_long_url_counts_23() {
    let url = format!("https://example.com/{}", "x".repeat(200));
    assert_eq!(count_chars(&format!("Look {url}")), 5 + 23);
    assert_eq!(count_chars("https://a.co"), 23);
}

#[test]
fn count_chars_remote_mention_counts_username_only() {
    assert_eq!(count_chars("@bob@partner.example hi"), "@bob hi".len());
    assert_eq!(count_chars("@alice"), 6);
    assert_eq!(count_chars("mail alice@example.com"), 22);
}

#[test]
fn count_chars_url_and_remote_mention_together() {
    let url = format!("https://example.com/{}", "y".repeat(100));
    assert_eq!(
        count_chars(&format!("Look {url} @bob@partner.example")),
        5 + 23 + 1 + 4
    );
}

// ---- strip_html ----

#[test]
fn strip_html_paragraphs_and_breaks() {
    assert_eq!(
        strip_html("<p>one<br />two<br>three</p><p>four</p>"),
        "one\ntwo\nthree\n\nfour"
    );
}

#[test]
fn strip_html_drops_tags_and_unescapes() {
    assert_eq!(
        strip_html(&format!(
            "<p>Hi {ALICE_HTML} &amp; &lt;b&gt; &quot;q&quot; &#39;s&#39; &#8230; &#x2014; &nbsp;</p>"
        )),
        "Hi @alice & <b> \"q\" 's' … — &nbsp;"
    );
}

#[test]
fn strip_html_round_trips_render() {
    let text = "Hi @alice, <b>bold</b> & https://www.example.com/a/very/long/path/that/goes/on\n#Rust\n\nBye";
    assert_eq!(strip_html(&render(text, &[alice()], BASE)), text);
}

#[test]
fn strip_html_keeps_unclosed_angle_bracket_text() {
    assert_eq!(strip_html("a &amp; <b"), "a & <b");
    assert_eq!(
        strip_html("&#0; &#; &#xZZ; &bogus;"),
        "&#0; &#; &#xZZ; &bogus;"
    );
}

#[test]
fn mention_followed_by_accented_letter_is_not_a_mention() {
    assert!(parse("@josé").mentions.is_empty());
    assert_eq!(render("@alicé", &[alice()], BASE), "<p>@alicé</p>");
}
