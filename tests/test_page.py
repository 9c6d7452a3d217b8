"""The page in a real browser against the real server: type a review, submit, read every model's answer.

Runs headless Chromium through Playwright. ``.ci/run`` installs Debian's ``chromium`` and sets
``IMDB_BASELINES_BROWSER``; where that is set, a browser that does not start is a failure, not a skip.
"""

import pytest

from tests.servers import running_server

REVIEW = "A moving, beautifully acted film. The story stayed with me for days and I loved every minute."


@pytest.fixture(scope="module")
def server(kept_report):
    with running_server(kept_report) as port:
        yield f"http://127.0.0.1:{port}"


def _answers(page) -> dict[str, dict[str, str]]:
    page.locator("#results .answer").nth(2).wait_for(timeout=60_000)  # no eval: the page's CSP stays on
    rows = {}
    for row in page.locator("#results .answer").all():
        rows[row.get_attribute("data-model")] = {
            "label": row.locator(".label").inner_text(), "probability": row.locator(".probability").inner_text(),
            "marks": row.locator("mark").count()}
    return rows


def test_a_review_typed_and_submitted_gets_a_row_per_model(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Security Policy" in message.text else None)
    page.goto(server)
    page.wait_for_selector("#leaderboard tbody tr")
    page.fill("#review", REVIEW)
    page.click("#classify")
    rows = _answers(page)
    assert sorted(rows) == ["fasttext", "naive_bayes", "nbsvm"]
    for name, row in rows.items():
        assert row["label"] in ("negative", "positive"), name  # IMDB's 0 and 1, as people read them
        # The probability of the label, the most probable class (NBSVM's margins scaled on validation).
        assert row["probability"].endswith(" %") and 50 <= float(row["probability"].split()[0]) <= 100, name
    assert rows["nbsvm"]["marks"] > 0 and rows["naive_bayes"]["marks"] > 0  # the words that pushed them
    assert rows["fasttext"]["marks"] == 0
    assert page.locator("#leaderboard tbody tr").count() == 3
    assert page.locator("#figures img").count() >= 2
    bar = page.locator("#results .answer .bar div").first.evaluate("node => node.style.width")
    assert bar.endswith("%") and float(bar[:-1]) > 0  # set through the CSSOM, which the page's CSP allows
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    assert (tmp_path / "page.png").stat().st_size > 10_000
    assert errors == []  # no script error and no Content-Security-Policy violation


def test_keyboard_only_on_a_phone_sized_screen(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(server)
    page.wait_for_selector("#leaderboard tbody tr")
    page.keyboard.press("Tab")  # the first focusable element is the text box
    assert page.evaluate("document.activeElement.id") == "review"
    page.keyboard.type("Two hours I will never get back. The plot makes no sense and the acting is wooden.")
    page.keyboard.press("Control+Enter")
    rows = _answers(page)
    assert len(rows) == 3 and all(row["label"] in ("negative", "positive") for row in rows.values())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the screen
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)


@pytest.mark.parametrize("width", [820, 950, 1100, 1280])
def test_the_leaderboard_fits_its_panel_beside_the_text_box(server, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server)
    page.wait_for_selector("#leaderboard tbody tr")
    table, panel = page.evaluate("""() => [document.querySelector('#leaderboard').scrollWidth,
                                          document.querySelector('#leaderboard').parentElement.clientWidth]""")
    assert table <= panel  # every column in sight, none behind a sideways scroll
    text_box = page.locator("#review").bounding_box()
    assert text_box["width"] >= 300 and page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_empty_review_says_so_without_asking_the_server(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.wait_for_selector("#leaderboard tbody tr")
    page.fill("#review", "   ")
    page.evaluate("document.querySelector('#review-form').requestSubmit()")
    page.wait_for_function("document.querySelector('#status').textContent.length > 0")
    assert "Type a review first" in page.inner_text("#status")
    assert page.locator("#results .answer").count() == 0


def test_the_api_documentation_renders_with_nothing_loaded_from_elsewhere(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside = []

    def only_this_server(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:  # the machine may have no internet: anything from elsewhere would leave /docs blank
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(f"{server}/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=60_000)
    assert "imdb-baselines" in page.inner_text(".swagger-ui .info .title")
    page.locator(".opblock-summary-path", has_text="/predict").first.wait_for(timeout=30_000)
    page.screenshot(path=str(tmp_path / "docs.png"))
    assert outside == []


def test_an_error_clears_the_earlier_answers_and_figures_open_full_size(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server)
    page.wait_for_selector("#leaderboard tbody tr")
    page.fill("#review", REVIEW)
    page.click("#classify")
    assert len(_answers(page)) == 3
    page.fill("#review", "A long review. " * 4_200)  # 63,000 characters: over the service's limit
    page.click("#classify")
    page.locator("#status.error").wait_for(timeout=60_000)  # a locator: the page's CSP forbids eval
    assert "Error" in page.inner_text("#status") and page.locator("#results .answer").count() == 0
    page.screenshot(path=str(tmp_path / "after-error.png"), full_page=True)
    link = page.locator("#figures a").first
    assert link.get_attribute("target") == "_blank" and link.locator("img").count() == 1
    with page.context.expect_page() as opened:
        link.click()
    figure = opened.value
    figure.wait_for_load_state()
    size = figure.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]")
    assert size[0] >= 800 and size[1] >= 400  # the figure itself, at its own size
    figure.screenshot(path=str(tmp_path / "figure.png"))


def test_evidence_colours_say_toward_and_against_not_positive_and_negative(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.wait_for_selector("#leaderboard tbody tr")
    page.fill("#review", "Two hours I will never get back. The plot makes no sense and the acting is wooden.")
    page.click("#classify")
    _answers(page)
    colours = {kind: page.locator(f"#results mark.{kind}").first.evaluate("node => getComputedStyle(node)"
                                                                          ".backgroundColor")
               for kind in ("toward", "against") if page.locator(f"#results mark.{kind}").count()}
    assert colours.get("toward") == "rgb(207, 226, 247)"  # blue for "toward the answer", also when it is negative
    assert colours.get("against", "rgb(253, 227, 195)") == "rgb(253, 227, 195)"  # orange against it
    assert page.locator("mark.toward-pos, mark.toward-neg").count() == 0


@pytest.fixture(scope="module")
def trec_server(tmp_path_factory):
    from imdb_baselines.cli import compare
    from tests.conftest import FIXTURES

    out = tmp_path_factory.mktemp("trec") / "report"
    trec = FIXTURES / "trec"
    assert compare.main(["--data", str(trec / "train.jsonl"), "--test", str(trec / "test.jsonl"), "--text-column",
                         "question", "--label-column", "coarse", "--models", "naive_bayes,nbsvm", "--bootstrap",
                         "0", "--quiet", "--out", str(out)]) == 0
    with running_server(out) as port:
        yield f"http://127.0.0.1:{port}"


def test_a_page_serving_trec_speaks_of_questions_not_reviews(trec_server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(trec_server)
    page.wait_for_selector("#leaderboard tbody tr")
    assert page.inner_text("#review-label") == "Text" and "review" not in page.inner_text("#try-heading")
    examples = [button.inner_text() for button in page.locator(".example").all()]
    assert examples == ["ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"]  # a test question of each class
    assert page.inner_text("#f1-heading") == "Macro F1"
    assert all(cell.inner_text() != "–" for cell in page.locator("#leaderboard tbody td:nth-child(3)").all())
    page.locator(".example").nth(4).click()
    page.click("#classify")
    page.locator("#results .answer").nth(1).wait_for(timeout=60_000)
    labels = page.locator("#results .answer .label").all_inner_texts()
    assert len(labels) == 2 and set(labels) <= set(examples)
    page.screenshot(path=str(tmp_path / "trec.png"), full_page=True)


def test_a_stopword_ablation_shows_which_rows_answer(tmp_path, browser):
    """Two stopword lists: four rows, and the page says which list's models are the ones answering."""
    from imdb_baselines.cli import compare
    from tests.conftest import FIXTURE_ROOT

    out = tmp_path / "ablation"
    assert compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--models", "naive_bayes,nbsvm", "--stopwords",
                         "minimal,none", "--bootstrap", "0", "--quiet", "--out", str(out)]) == 0
    with running_server(out) as port:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{port}")
        page.wait_for_selector("#leaderboard tbody tr")
        rows = [row.inner_text() for row in page.locator("#leaderboard tbody th").all()]
        note = page.locator("#leaderboard-note").inner_text()
        briers = [cell.inner_text() for cell in page.locator("#leaderboard tbody td:nth-child(4)").all()]
        sizes = [cell.inner_text() for cell in page.locator("#leaderboard tbody td:nth-child(6)").all()]
        page.screenshot(path=str(tmp_path / "ablation.png"), full_page=True)
    assert sorted(rows) == ["naive_bayes\nstopwords: minimal", "naive_bayes\nstopwords: none, not served",
                            "nbsvm\nstopwords: minimal", "nbsvm\nstopwords: none, not served"]
    assert note.endswith("A row per model and stopword list; the models answering are the minimal list's.")
    assert briers.count("–") == 2  # the calibration measured is the served models'
    assert "< 1 MiB" in sizes and "0 MiB" not in sizes  # an excerpt's models weigh kilobytes
