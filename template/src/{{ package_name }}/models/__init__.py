"""The model and its training loop, written here in numpy so you can change any part.

mlp.py is the model (forward pass, loss and gradients by hand); train.py is the loop
that fits it. Start with mlp.py.
"""
