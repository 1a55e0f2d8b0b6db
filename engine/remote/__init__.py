"""Remote engines: any server that speaks the OpenAI API (vLLM, Ollama, LM Studio, another LocalChat)."""
