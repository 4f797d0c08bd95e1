print("fake-sllm")
