"""Every way a model can be wrong gives one plain sentence, from one error family."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine import errors
from engine.runtime.conversation import Message
from engine.runtime.model import classify_load_error, load_model
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings


@pytest.fixture
def model_copy(chat_model: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(chat_model, tmp_path / "copy"))


def edit_config(folder: Path, **model_fields) -> None:
    config = json.loads((folder / "genai_config.json").read_text())
    config["model"].update(model_fields)
    (folder / "genai_config.json").write_text(json.dumps(config))


def assert_plain(error: errors.LocalChatError) -> None:
    message = error.user_message
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    assert len(message) < 240


def test_missing_folder(tmp_path):
    with pytest.raises(errors.ModelFolderMissing) as caught:
        load_model(tmp_path / "nowhere")
    assert_plain(caught.value)


def test_folder_without_genai_config(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"x")
    with pytest.raises(errors.NotAGenaiModel) as caught:
        load_model(tmp_path)
    assert "genai_config.json" in caught.value.user_message


def test_unreadable_genai_config(model_copy):
    (model_copy / "genai_config.json").write_text("{not json")
    with pytest.raises(errors.NotAGenaiModel):
        load_model(model_copy)


def test_truncated_onnx_file(model_copy):
    data = (model_copy / "model.onnx").read_bytes()
    (model_copy / "model.onnx").write_bytes(data[: len(data) // 3])
    with pytest.raises(errors.ModelFileBroken) as caught:
        load_model(model_copy)
    assert_plain(caught.value)
    assert "Protobuf" in caught.value.detail or "model.onnx" in caught.value.detail


def test_missing_onnx_file(model_copy):
    (model_copy / "model.onnx").unlink()
    with pytest.raises(errors.ModelFileBroken):
        load_model(model_copy)


def test_missing_tokenizer(model_copy):
    (model_copy / "tokenizer.json").unlink()
    with pytest.raises(errors.ModelFileBroken) as caught:
        load_model(model_copy)
    assert "tokenizer" in caught.value.user_message


def test_unsupported_model_type(model_copy):
    edit_config(model_copy, type="frobnicator")
    with pytest.raises(errors.UnsupportedModelType) as caught:
        load_model(model_copy)
    assert "frobnicator" in caught.value.detail


def test_unknown_provider_name(chat_model):
    with pytest.raises(errors.ProviderUnavailable):
        load_model(chat_model, "tpu")


def test_tokens_outside_the_models_vocabulary(model_copy):
    edit_config(model_copy, vocab_size=100)  # the tokenizer knows 384 tokens, the model now claims 100
    session = ChatSession(load_model(model_copy))
    with pytest.raises(errors.TokenOutOfVocabulary) as caught:
        session.reply([Message("user", "hi")], SamplingSettings(temperature=0)).text()
    assert_plain(caught.value)


def test_out_of_memory_is_recognised():
    error = classify_load_error(RuntimeError("std::bad_alloc"), Path("big-model"))
    assert isinstance(error, errors.OutOfMemory)
    assert "memory" in error.user_message


def test_every_error_is_one_family():
    for name in ("ModelFolderMissing", "NotAGenaiModel", "ModelFileBroken", "UnsupportedModelType",
                 "ProviderUnavailable", "TokenOutOfVocabulary", "OutOfMemory", "InvalidSetting", "ContextOverflow",
                 "EngineCrashed"):
        assert issubclass(getattr(errors, name), errors.LocalChatError)


def deep_json(depth: int = 5000) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("name, content, kind, named", [
    ("genai_config.json", ('{"model": ' + deep_json() + "}").encode(), errors.NotAGenaiModel, "genai_config.json"),
    ("tokenizer.json", b"\xbe not json", errors.ModelFileBroken, "tokenizer"),  # genai's message quotes the byte
    ("chat_template.jinja", b"{{ messages \xff }}", errors.ModelFileBroken, "chat_template.jinja"),
], ids=["genai_config nested too deep for Python", "tokenizer error quoting broken bytes", "template not UTF-8"])
def test_a_file_python_or_genai_cannot_decode_is_refused_with_a_sentence(model_copy, name, content, kind, named):
    (model_copy / name).write_bytes(content)
    with pytest.raises(kind) as caught:
        load_model(model_copy)
    assert_plain(caught.value)
    assert named in caught.value.user_message


def test_a_section_genai_accepts_with_the_wrong_type_is_named(model_copy):
    config = json.loads((model_copy / "genai_config.json").read_text())
    config["search"] = 5  # onnxruntime-genai 0.18 loads this; LocalChat reads the section itself
    (model_copy / "genai_config.json").write_text(json.dumps(config))
    with pytest.raises(errors.ModelFileBroken) as caught:
        load_model(model_copy)
    assert_plain(caught.value)
    assert "search" in caught.value.detail


def test_a_tokenizer_config_with_a_byte_order_mark_keeps_its_chat_template(model_copy):
    path = model_copy / "tokenizer_config.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # genai reads it; so must LocalChat
    loaded = load_model(model_copy)
    assert loaded.chat_template is not None and loaded.add_bos_token


def test_a_tokenizer_json_with_a_byte_order_mark_keeps_its_special_tokens(model_copy):
    from engine.inspect.tokens import special_tokens

    path = model_copy / "tokenizer.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "<|user|>" in special_tokens(model_copy).values()


def test_a_tokenizer_config_python_cannot_read_is_refused_not_read_as_empty(model_copy):
    config = json.loads((model_copy / "tokenizer_config.json").read_text())
    config["added_tokens_decoder"] = "DEEP"  # genai's tokenizer loads this; read as {}, the chat template was lost
    text = json.dumps(config).replace('"DEEP"', deep_json())
    (model_copy / "tokenizer_config.json").write_text(text)
    with pytest.raises(errors.ModelFileBroken) as caught:
        load_model(model_copy)
    assert "tokenizer_config.json" in caught.value.user_message




def test_a_model_file_name_that_is_a_folder_is_a_damaged_model_not_an_unsupported_kind(model_copy):
    config = json.loads((model_copy / "genai_config.json").read_text())
    config["model"]["decoder"]["filename"] = ""  # genai: "... from a directory path is not supported"
    (model_copy / "genai_config.json").write_text(json.dumps(config))
    with pytest.raises(errors.ModelFileBroken) as caught:
        load_model(model_copy)
    assert "directory" in caught.value.detail


def test_a_model_that_fails_its_first_step_says_the_folder_is_at_fault_not_try_again(model_copy):
    config = json.loads((model_copy / "genai_config.json").read_text())
    config["model"]["decoder"]["outputs"]["logits"] = "no_such_output"  # loads; fails when a generator is made
    (model_copy / "genai_config.json").write_text(json.dumps(config))
    session = ChatSession(load_model(model_copy))
    session.prepare()
    with pytest.raises(errors.ModelFileBroken) as caught:
        session.reply([Message("user", "hi")], SamplingSettings(temperature=0)).text()
    assert_plain(caught.value)
    assert "download the model again" in caught.value.user_message and "no_such_output" in caught.value.detail
