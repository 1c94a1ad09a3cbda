"""The model, its training loop and the interface the rest of the project uses.

interface.py says what a model offers (predict, save; a family fits and loads);
mlp.py is the numpy model and sgd.py its training loop, both yours to change;
registry.py names the families; train.py is the stage. Start with interface.py.
"""
