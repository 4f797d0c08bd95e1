print("moecap-eval")
